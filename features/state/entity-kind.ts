/**
 * An entity kind: how its state starts, how a record changes it, and how it is written to and read from a store.
 * `apply` must be deterministic and depend only on the state and the record, so that any store folding the same
 * records in the same order reaches the same state.
 */
export interface EntityKind<S, R> {
  /** Short name used in Redis keys (`u`, `ip`, `a`). */
  readonly name: string;
  /** How long an idle entity is kept, in ms (the Redis TTL, refreshed on every write). */
  readonly ttlMs: number;
  init(): S;
  /** Applies a record in place. Returns false when the record was a duplicate or too late and changed nothing. */
  apply(state: S, record: R): boolean;
  encode(state: S): string;
  decode(text: string): S;
}

/** The dedupe horizon: an event id is remembered this long (by event time) per entity, and older events are dropped. */
export const DEDUPE_HORIZON_MS = 30 * 24 * 3_600_000;

/** Map ⇄ entry array, keeping insertion order (which eviction depends on). */
export const mapToEntries = <V>(m: Map<string, V>): [string, V][] => [...m.entries()];
export const entriesToMap = <V>(e: [string, V][] | undefined): Map<string, V> => new Map(e ?? []);

/**
 * Inserts time `t` into ascending `ts` after any equal times, and each `[array, value]` pair at the same index so
 * parallel arrays stay aligned. Events mostly arrive in time order, so this is nearly always a push.
 */
export function insertSorted(ts: number[], t: number, ...parallel: [unknown[], unknown][]): void {
  let i = ts.length;
  while (i > 0 && (ts[i - 1] as number) > t) i--;
  ts.splice(i, 0, t);
  for (const [array, value] of parallel) array.splice(i, 0, value);
}

/** Drops the entries of ascending `ts` (and every parallel array) at or before `cutoff`. */
export function dropUpTo(cutoff: number, ts: number[], ...parallel: unknown[][]): void {
  let n = 0;
  while (n < ts.length && (ts[n] as number) <= cutoff) n++;
  if (n === 0) return;
  ts.splice(0, n);
  for (const p of parallel) p.splice(0, n);
}

/**
 * Remembers event ids for exactly-once application. Returns false when `id` was already applied, or when `ts` is
 * older than the horizon (such an event could be a replay we no longer remember, so it is dropped, never doubled).
 */
export function markSeen(seen: Map<string, number>, id: string, ts: number, latest: number): boolean {
  if (seen.has(id) || ts <= latest - DEDUPE_HORIZON_MS) return false;
  seen.set(id, ts);
  return true;
}

/**
 * Forgets ids older than the horizon. `seen` is in arrival order, which is time order but for late events, so the
 * scan stops at the first id still inside the horizon: a late id may be kept a little longer, never dropped early.
 */
export function pruneSeen(seen: Map<string, number>, latest: number): void {
  const cutoff = latest - DEDUPE_HORIZON_MS;
  for (const [id, t] of seen) {
    if (t > cutoff) break;
    seen.delete(id);
  }
}

/** Keeps the last `max` entries of parallel arrays (the newest, as they are ascending by time). */
export function keepLast(max: number, ...arrays: unknown[][]): void {
  const extra = (arrays[0]?.length ?? 0) - max;
  if (extra > 0) for (const a of arrays) a.splice(0, extra);
}

/**
 * Records a label in `labels` (event id → [time known, 1 fraud / 0 legit]). The latest label of an event wins, so
 * corrections apply; the same label again changes nothing. Beyond `max` labels the oldest recorded goes.
 */
export function applyLabel(labels: Map<string, [number, number]>, id: string, ts: number, fraud: boolean, max: number): boolean {
  const before = labels.get(id);
  if (before && before[0] >= ts) return false;
  labels.delete(id);
  labels.set(id, [ts, fraud ? 1 : 0]);
  if (labels.size > max) labels.delete(labels.keys().next().value as string);
  return true;
}
