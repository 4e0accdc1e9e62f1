import { mkdir, open, readdir, readFile, rename, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { decryptJson, deriveKey, encryptJson } from '../core/crypto';
import { UnavailableError } from '../core/errors';
import type { Logger } from '../core/logger';
import { safeParseEvent, tsMillis, type VigilEvent } from '../data/schemas';
import type { FeaturePipeline, PipelineItem } from '../features/pipeline';
import { writeDecisionRecord, type DecisionRecord, type DecisionStores } from './decision-record';
import type { EventSpool } from './scoring-service';

export interface FileEventSpoolOptions {
  /** Directory of the spool files (VIGIL_SPOOL_DIR); created if missing. */
  dir: string;
  pipeline: FeaturePipeline;
  /** Where the answers' spooled bookkeeping goes (audit trail, answers for retries, cases). */
  stores: DecisionStores;
  /**
   * VIGIL_PII_KEY: with it every line is sealed (AES-256-GCM under a key derived for the spool), since events carry
   * IPs and device ids. The embedded default has none, and its memory stores never leave anything to spool.
   */
  piiKey?: Buffer;
  log: Logger;
  /** How often the background drain tries again while events wait, ms. @defaultValue 1000 */
  drainIntervalMs?: number;
  /** Events per pipeline call while draining. @defaultValue 500 */
  batchSize?: number;
}

/** What one drain did. */
export interface DrainOutcome {
  /** Events handed to the pipeline (a duplicate counts: it changed nothing, which is what re-applying means). */
  applied: number;
  /** Answers whose spooled bookkeeping was written. */
  recorded: number;
  /** Spool files applied and removed. */
  files: number;
  /** Lines that were not a valid event, skipped and logged. */
  invalidLines: number;
  /** Whether it stopped because the feature store still does not answer. */
  storeUnavailable: boolean;
}

/** Spool file names sort by creation time: `<epoch ms, 13 digits>-<pid>-<sequence>.jsonl`. */
const SPOOL_FILE = /^\d{13}-\d+-\d+\.jsonl$/;
/** Where a file goes that the pipeline rejects for another reason than the store being away (kept for a human). */
const FAILED_DIR = 'failed';
const SPOOL_KEY_PURPOSE = 'vigil spool v1';

/** A spool line: the event, and the bookkeeping of its answer still to be written. */
interface SpoolEntry {
  event: VigilEvent;
  record?: DecisionRecord;
}

interface PendingLine {
  line: string;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * The spool of events that were answered in the fail mode because the feature store did not answer, and of answers
 * whose bookkeeping (audit entry, stored answer, case) could not be written: append-only JSONL files in one
 * directory, each append fsync'd before `add` resolves, so an event that got an answer is on disk even if the process
 * dies right after. Appends that arrive together share one write and one fsync (group commit).
 *
 * A drain closes the file being written (new appends start a new one), re-applies every closed file oldest first
 * through the pipeline (features are not read: the answers were given long ago), writes the pending bookkeeping, and
 * removes each file once it is done. Feature state deduplicates event ids, a stored answer is kept only if none is and
 * a case opens once, so a crash mid-drain or a drain racing a late write of the same event only repeats what changes
 * nothing, but for audit entries: one may then appear twice (never none). Files left by a process that is gone are
 * drained too; those of another live process on the same directory are left to it.
 */
export class FileEventSpool implements EventSpool {
  private readonly batchSize: number;
  private readonly drainIntervalMs: number;
  private readonly sealKey: Buffer | undefined;
  /** Events per closed or open file, by file name: the backlog. */
  private readonly counts = new Map<string, number>();
  private pending: PendingLine[] = [];
  /** Every file operation (flushes, rotation) runs on this chain, one at a time. */
  private io: Promise<void> = Promise.resolve();
  private flushQueued = false;
  private current: { name: string; handle: FileHandle } | undefined;
  /** Files being created or written: a drain must not touch them (their name exists before `current` is set). */
  private readonly live = new Set<string>();
  private sequence = 0;
  private draining: Promise<DrainOutcome> | undefined;
  private timer: NodeJS.Timeout | undefined;

  private constructor(private readonly o: FileEventSpoolOptions) {
    this.batchSize = o.batchSize ?? 500;
    this.drainIntervalMs = o.drainIntervalMs ?? 1000;
    this.sealKey = o.piiKey ? deriveKey(o.piiKey, SPOOL_KEY_PURPOSE) : undefined;
  }

  /** Opens the spool directory and counts the events that earlier processes left in it. */
  static async open(options: FileEventSpoolOptions): Promise<FileEventSpool> {
    const spool = new FileEventSpool(options);
    await mkdir(options.dir, { recursive: true });
    for (const name of await spool.spoolFiles()) {
      const text = await readFile(join(options.dir, name), 'utf8');
      spool.counts.set(name, text.split('\n').filter((l) => l.trim() !== '').length);
    }
    const backlog = spool.backlog();
    if (backlog > 0) options.log.warn({ dir: options.dir, events: backlog }, 'spool holds events from an earlier run; they will be applied');
    return spool;
  }

  /** Appends an event, with the bookkeeping its answer still needs if any; resolves once it is fsync'd. */
  add(event: VigilEvent, record?: DecisionRecord): Promise<void> {
    const entry: SpoolEntry = { event, record }; // JSON leaves out a missing record
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ line: `${this.sealKey ? encryptJson(this.sealKey, entry) : JSON.stringify(entry)}\n`, resolve, reject });
      if (!this.flushQueued) {
        this.flushQueued = true;
        this.io = this.io.then(() => this.flush());
      }
    });
  }

  /** Events waiting to be applied. */
  backlog(): number {
    let n = 0;
    for (const count of this.counts.values()) n += count;
    return n;
  }

  /** Tries to drain every `drainIntervalMs` while events wait. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (this.backlog() === 0 || this.draining) return;
      this.drain().catch((err: unknown) => this.o.log.error({ err: String(err) }, 'spool drain failed'));
    }, this.drainIntervalMs);
    this.timer.unref(); // the spool alone must not keep a process alive
  }

  /** Applies every waiting event now (calls made while one runs share it). */
  drain(): Promise<DrainOutcome> {
    this.draining ??= this.drainAll().finally(() => {
      this.draining = undefined;
    });
    return this.draining;
  }

  /** Stops the background drain, waits for a running drain and pending appends, and closes the open file. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.draining?.catch(() => {});
    await this.rotate();
  }

  private async flush(): Promise<void> {
    this.flushQueued = false;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    try {
      const file = this.current ?? (await this.openFile());
      await file.handle.write(batch.map((p) => p.line).join(''));
      await file.handle.sync();
      this.counts.set(file.name, (this.counts.get(file.name) ?? 0) + batch.length);
      for (const p of batch) p.resolve();
    } catch (err) {
      // The file may now end in a partial line; the drain skips it (it was never acknowledged). Start a new file.
      await this.closeCurrent().catch(() => {});
      for (const p of batch) p.reject(err);
    }
  }

  private async openFile(): Promise<{ name: string; handle: FileHandle }> {
    const name = `${String(Date.now()).padStart(13, '0')}-${process.pid}-${this.sequence++}.jsonl`;
    this.live.add(name);
    let handle: FileHandle | undefined;
    try {
      handle = await open(join(this.o.dir, name), 'a');
      // The new directory entry must be durable too, or an fsync'd file could vanish with a crash.
      await syncDirectory(this.o.dir);
    } catch (err) {
      await handle?.close().catch(() => {});
      this.live.delete(name);
      throw err;
    }
    this.current = { name, handle };
    this.counts.set(name, 0);
    return this.current;
  }

  private async closeCurrent(): Promise<void> {
    const file = this.current;
    this.current = undefined;
    if (!file) return;
    try {
      await file.handle.close();
    } finally {
      this.live.delete(file.name);
    }
  }

  /** Closes the open file after the appends queued before this call. */
  private rotate(): Promise<void> {
    this.io = this.io.then(() => this.closeCurrent());
    return this.io;
  }

  private async spoolFiles(): Promise<string[]> {
    return (await readdir(this.o.dir)).filter((name) => SPOOL_FILE.test(name) && this.mayTake(name)).sort();
  }

  /**
   * This process's files and those of processes that are gone. A file of another live process (a sibling worker of
   * `vigil serve --workers`, a second instance on this directory) may still be written to: draining and removing it
   * would lose the events appended to it afterwards. That process drains it itself.
   */
  private mayTake(name: string): boolean {
    const pid = Number(name.split('-')[1]);
    if (pid === process.pid) return true;
    try {
      process.kill(pid, 0);
      return false;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'ESRCH';
    }
  }

  private async drainAll(): Promise<DrainOutcome> {
    await this.rotate();
    const outcome: DrainOutcome = { applied: 0, recorded: 0, files: 0, invalidLines: 0, storeUnavailable: false };
    for (const name of await this.spoolFiles()) {
      if (this.live.has(name)) continue; // opened by an append after the rotation
      const file = join(this.o.dir, name);
      const { entries, invalid } = parseSpoolFile(await readFile(file, 'utf8'), this.sealKey);
      if (entries.length === 0 && invalid.length > 0 && invalid.every((line) => line.sealed)) {
        // Not one line opens: another VIGIL_PII_KEY than the one it was written with, not a write cut short.
        await this.quarantine(name, new Error(`no line could be decrypted (${invalid[0]?.reason})`));
        continue;
      }
      for (const line of invalid) this.o.log.error({ file, line: line.lineNo, issues: line.reason }, 'spool line is not a valid event; skipped');
      outcome.invalidLines += invalid.length;
      try {
        const items: PipelineItem[] = entries.map(({ event }) => ({ kind: 'event', event, tsMs: tsMillis(event.ts) }));
        for (let i = 0; i < items.length; i += this.batchSize) {
          await this.o.pipeline.process(items.slice(i, i + this.batchSize), { features: false });
          outcome.applied += Math.min(this.batchSize, items.length - i);
        }
        outcome.recorded += await this.writeRecords(entries);
      } catch (err) {
        if (err instanceof UnavailableError) {
          outcome.storeUnavailable = true;
          this.o.log.debug({ err: err.message }, 'feature store still unavailable; the spool waits');
          return outcome;
        }
        await this.quarantine(name, err);
        continue;
      }
      await unlink(file).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err; // another process drained it first
      });
      this.counts.delete(name);
      outcome.files++;
    }
    if (outcome.files > 0) this.o.log.info({ ...outcome }, 'spool drained');
    return outcome;
  }

  /** Writes the bookkeeping the entries wait for; a store still away stops the drain, the file then waits as a whole. */
  private async writeRecords(entries: readonly SpoolEntry[]): Promise<number> {
    let recorded = 0;
    for (const { event, record } of entries) {
      if (!record || (event.type !== 'login' && event.type !== 'withdrawal')) continue;
      const failed = await writeDecisionRecord(this.o.stores, event, record);
      const first = failed[0];
      if (first) throw first.err instanceof UnavailableError ? first.err : new Error(`writing the ${first.part} of ${event.eventId}: ${String(first.err)}`);
      recorded++;
    }
    return recorded;
  }

  private async quarantine(name: string, err: unknown): Promise<void> {
    const failed = join(this.o.dir, FAILED_DIR);
    await mkdir(failed, { recursive: true });
    await rename(join(this.o.dir, name), join(failed, name));
    this.counts.delete(name);
    this.o.log.error({ file: join(failed, name), err: err instanceof Error ? err.message : String(err) }, 'spool file could not be applied; moved aside');
  }
}

/**
 * The entries of a spool file in order, and the lines that are not entries (a write cut short by a crash). A line is
 * JSON, or sealed when the spool has a key. A line that is a bare event was written by an earlier version, before
 * answers' bookkeeping was spooled too.
 */
function parseSpoolFile(text: string, key: Buffer | undefined): { entries: SpoolEntry[]; invalid: { lineNo: number; reason: string; sealed?: boolean }[] } {
  const entries: SpoolEntry[] = [];
  const invalid: { lineNo: number; reason: string; sealed?: boolean }[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const sealed = !line.startsWith('{');
    let value: unknown;
    try {
      value = sealed ? openSealed(key, line) : JSON.parse(line);
    } catch (err) {
      invalid.push({ lineNo: i + 1, reason: sealed ? (err as Error).message : `not JSON: ${(err as Error).message}`, sealed });
      return;
    }
    const wrapped = typeof value === 'object' && value !== null && 'event' in value;
    const parsed = safeParseEvent(wrapped ? (value as { event: unknown }).event : value);
    if (!parsed.ok) {
      invalid.push({ lineNo: i + 1, reason: parsed.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ') });
      return;
    }
    // The record was written by this process from an answer it gave: trusted as it is.
    entries.push({ event: parsed.value, record: wrapped ? (value as { record?: DecisionRecord }).record : undefined });
  });
  return { entries, invalid };
}

function openSealed(key: Buffer | undefined, line: string): unknown {
  if (!key) throw new Error('a sealed line, and no VIGIL_PII_KEY to open it');
  return decryptJson(key, line);
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
