import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { EventType } from '../schemas';
import type { DayBatch } from './day-batch';
import { SCENARIOS, type ScenarioName } from './events';
import type { Labeler } from './labels';

/**
 * Day-ordered streaming output. Each finished day is sorted by time, given event ids in file order, and appended to
 * events.jsonl (and its fraud events to truth.jsonl), so memory holds one day, not the data set. Files are written
 * under a `.partial` name and renamed into place only when the whole data set is done: an interrupted run leaves
 * no file that looks complete.
 */

const CHUNK_BYTES = 1 << 20;

/** Appends text and bytes to a file through a buffer; {@link commit} renames it into place. */
class BufferedFile {
  private readonly partial: string;
  private readonly fd: number;
  private readonly chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  private used = 0;

  constructor(readonly path: string) {
    this.partial = `${path}.partial`;
    this.fd = openSync(this.partial, 'w');
  }

  /** Makes room for `bytes` more bytes (at most {@link CHUNK_BYTES}). */
  private reserve(bytes: number): void {
    if (this.used + bytes > CHUNK_BYTES) this.flush();
    if (bytes > CHUNK_BYTES) throw new RangeError(`a record of ${bytes} bytes exceeds the write buffer`);
  }

  /** Appends text as UTF-8. */
  text(s: string): void {
    this.reserve(s.length * 3);
    this.used += this.chunk.write(s, this.used);
  }

  /** Appends `source[start, end)`. */
  bytes(source: Buffer, start: number, end: number): void {
    this.reserve(end - start);
    this.used += source.copy(this.chunk, this.used, start, end);
  }

  private flush(): void {
    if (this.used > 0) writeSync(this.fd, this.chunk, 0, this.used);
    this.used = 0;
  }

  commit(): void {
    this.flush();
    closeSync(this.fd);
    renameSync(this.partial, this.path);
  }

  abort(): void {
    closeSync(this.fd);
    rmSync(this.partial, { force: true });
  }
}

export type TypeCounts = Record<EventType, number>;

const zeroCounts = (): TypeCounts => ({ login: 0, withdrawal: 0, account_change: 0 });

export class DatasetWriter {
  private readonly events: BufferedFile;
  private readonly truth: BufferedFile;
  private readonly labels: BufferedFile;
  private nextId = 0;
  /** Events written, per type. */
  readonly counts: TypeCounts = zeroCounts();
  /** Successful logins written (the denominator of the takeover-login rate). */
  successfulLogins = 0;
  /** Fraud events written, per scenario and type. */
  readonly byScenario: Record<ScenarioName, TypeCounts & { successfulLogins: number }>;

  constructor(
    dir: string,
    private readonly labeler: Labeler,
  ) {
    this.events = new BufferedFile(join(dir, 'events.jsonl'));
    this.truth = new BufferedFile(join(dir, 'truth.jsonl'));
    this.labels = new BufferedFile(join(dir, 'labels.jsonl'));
    this.byScenario = Object.fromEntries(SCENARIOS.map((s) => [s, { ...zeroCounts(), successfulLogins: 0 }])) as DatasetWriter['byScenario'];
  }

  get total(): number {
    return this.counts.login + this.counts.withdrawal + this.counts.account_change;
  }

  /** Writes one day's events in time order, each line `{"type":…,"eventId":…,` + the event's own fields. */
  writeDay(day: DayBatch): void {
    day.forEachInOrder((meta, bytes, start, end) => {
      const eventId = `e${++this.nextId}`;
      this.events.text(`{"type":"${meta.type}","eventId":"${eventId}",`);
      this.events.bytes(bytes, start, end);
      this.counts[meta.type]++;
      if (meta.success) this.successfulLogins++;
      if (meta.scenario) {
        this.truth.text(`{"eventId":"${eventId}","scenario":"${meta.scenario}"}\n`);
        const counts = this.byScenario[meta.scenario];
        counts[meta.type]++;
        if (meta.success) counts.successfulLogins++;
      }
      this.labeler.observe(eventId, meta);
    });
  }

  /** Writes the labels (sorted by when they became known) and renames every file into place. */
  commit(): void {
    for (const line of this.labeler.lines()) this.labels.text(`${line}\n`);
    this.events.commit();
    this.truth.commit();
    this.labels.commit();
  }

  /** Removes the partial files. */
  abort(): void {
    this.events.abort();
    this.truth.abort();
    this.labels.abort();
  }
}
