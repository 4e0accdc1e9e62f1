import { createReadStream } from 'node:fs';
import { createHash } from 'node:crypto';
import { ValidationError } from '../core/errors';
import { readJsonlBatches } from '../data/io/jsonl';
import { featureNames, type ScoredEventType } from '../features/definitions';
import type { DenyListLookup } from '../features/pipeline';
import { emptyReplayStats, replayBatches, type ReplayStats } from '../features/replay';
import { readTimeline } from '../features/timeline';

/** Point-in-time rows of one event type, column-major metadata next to a row-major feature matrix. */
export interface TrainingTable {
  type: ScoredEventType;
  featureNames: string[];
  /** rows × featureNames.length, row-major, NaN = unknown. */
  X: Float32Array;
  ts: Float64Array;
  eventIds: string[];
  userIds: string[];
  /** Final label (latest in the labels file): 1 fraud, 0 legit or unlabelled. */
  label: Uint8Array;
  /** Every label of the event, in the order they became known (undefined when unlabelled): see {@link labelsKnownBefore}. */
  labelHistory: (readonly LabelEntry[] | undefined)[];
  rows: number;
}

/** One label of an event: whether it says fraud, and when it became known (ms). */
export interface LabelEntry {
  fraud: boolean;
  ts: number;
}

export interface TrainingData {
  tables: Record<ScoredEventType, TrainingTable>;
  stats: ReplayStats;
  dataHashes: { events: string; labels: string };
}

/** sha256 of a file's bytes, streamed. */
export async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Replays events and labels in time order (features/replay.ts, the same code as online scoring) and collects one row
 * per login and withdrawal, with the event's final label for evaluation and its label history, from which
 * {@link labelsKnownBefore} tells what training may use (labels arrive late).
 */
export async function buildTrainingData(options: { events: string; labels: string; denyLists?: DenyListLookup }): Promise<TrainingData> {
  const timeline = await readTimeline({ events: options.events, labels: options.labels });
  // The timeline is in label time order (file order at equal times), so each history is too.
  const labelHistory = new Map<string, LabelEntry[]>();
  for (const item of timeline.items) {
    if (item.kind !== 'label') continue;
    const entry = { fraud: item.label.label === 'fraud', ts: item.tsMs };
    const history = labelHistory.get(item.label.eventId);
    if (history) history.push(entry);
    else labelHistory.set(item.label.eventId, [entry]);
  }
  const builders = { login: new TableBuilder('login'), withdrawal: new TableBuilder('withdrawal') };
  const stats = emptyReplayStats();
  for await (const rows of replayBatches(timeline.items, { denyLists: options.denyLists }, stats)) {
    for (const row of rows) {
      builders[row.event.type].add(row.event.eventId, row.event.userId, Date.parse(row.event.ts), row.features, labelHistory.get(row.event.eventId));
    }
  }
  const [events, labels] = await Promise.all([fileSha256(options.events), fileSha256(options.labels)]);
  return { tables: { login: builders.login.build(), withdrawal: builders.withdrawal.build() }, stats, dataHashes: { events, labels } };
}

class TableBuilder {
  private readonly names: string[];
  private chunks: Float32Array[] = [];
  private current: Float32Array;
  private fill = 0;
  private readonly ts: number[] = [];
  private readonly eventIds: string[] = [];
  private readonly userIds: string[] = [];
  private readonly label: number[] = [];
  private readonly labelHistory: (readonly LabelEntry[] | undefined)[] = [];
  private static readonly CHUNK_ROWS = 65536;

  constructor(private readonly type: ScoredEventType) {
    this.names = featureNames(type);
    this.current = new Float32Array(TableBuilder.CHUNK_ROWS * this.names.length);
  }

  add(eventId: string, userId: string, ts: number, features: Float64Array, labels: readonly LabelEntry[] | undefined): void {
    if (this.fill === TableBuilder.CHUNK_ROWS) {
      this.chunks.push(this.current);
      this.current = new Float32Array(TableBuilder.CHUNK_ROWS * this.names.length);
      this.fill = 0;
    }
    this.current.set(features, this.fill * this.names.length);
    this.fill++;
    this.ts.push(ts);
    this.eventIds.push(eventId);
    this.userIds.push(userId);
    this.label.push(labels?.at(-1)?.fraud ? 1 : 0);
    this.labelHistory.push(labels);
  }

  build(): TrainingTable {
    const width = this.names.length;
    const rows = this.ts.length;
    const X = new Float32Array(rows * width);
    let offset = 0;
    for (const chunk of this.chunks) {
      X.set(chunk, offset);
      offset += chunk.length;
    }
    X.set(this.current.subarray(0, this.fill * width), offset);
    return {
      type: this.type,
      featureNames: this.names,
      X,
      ts: Float64Array.from(this.ts),
      eventIds: this.eventIds,
      userIds: this.userIds,
      label: Uint8Array.from(this.label),
      labelHistory: this.labelHistory,
      rows,
    };
  }
}

/** The rows of `table` whose index passes `keep`, as a new table. */
export function selectRows(table: TrainingTable, keep: (i: number) => boolean): TrainingTable {
  const idx: number[] = [];
  for (let i = 0; i < table.rows; i++) if (keep(i)) idx.push(i);
  const width = table.featureNames.length;
  const X = new Float32Array(idx.length * width);
  idx.forEach((r, j) => X.set(table.X.subarray(r * width, (r + 1) * width), j * width));
  return {
    type: table.type,
    featureNames: table.featureNames,
    X,
    ts: Float64Array.from(idx, (i) => table.ts[i] as number),
    eventIds: idx.map((i) => table.eventIds[i] as string),
    userIds: idx.map((i) => table.userIds[i] as string),
    label: Uint8Array.from(idx, (i) => table.label[i] as number),
    labelHistory: idx.map((i) => table.labelHistory[i]),
    rows: idx.length,
  };
}

/**
 * Per row, 1 when the latest label known before `cutoff` (ms) says fraud: a fraud label confirmed again later (a
 * chargeback) still counts from its first date, and a label given or changed at or after `cutoff` does not count.
 */
export function labelsKnownBefore(table: TrainingTable, cutoff: number): Uint8Array {
  return Uint8Array.from(table.labelHistory, (history) => (history?.findLast((l) => l.ts < cutoff)?.fraud ? 1 : 0));
}

/** Reads `truth.jsonl` (`{eventId, scenario}` per line) into a map. */
export async function readTruth(path: string): Promise<Map<string, string>> {
  const truth = new Map<string, string>();
  for await (const batch of readJsonlBatches(path)) {
    for (const r of batch) {
      const v = (r.ok ? r.value : {}) as { eventId?: unknown; scenario?: unknown };
      if (typeof v.eventId !== 'string' || typeof v.scenario !== 'string') {
        throw new ValidationError(`${path}:${r.lineNo}: expected {"eventId": string, "scenario": string}`, [{ path: [r.lineNo], message: 'invalid truth line' }]);
      }
      truth.set(v.eventId, v.scenario);
    }
  }
  return truth;
}
