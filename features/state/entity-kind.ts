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
 * Where time `t` goes in ascending `ts`: after any equal times. Events mostly arrive in time order, so this is nearly
 * always the end. Insert `t` and each parallel array's value at this index with {@link insertAt}.
 */
export function sortedIndex(ts: readonly number[], t: number): number {
  let i = ts.length;
  while (i > 0 && (ts[i - 1] as number) > t) i--;
  return i;
}

/** Inserts `value` at index `i` of `array`: a push when `i` is the end (the usual case), a splice otherwise. */
export function insertAt<T>(array: T[], i: number, value: T): void {
  if (i === array.length) array.push(value);
  else array.splice(i, 0, value);
}

/**
 * Removes the first `n` entries of `array`. A few are shifted off one by one: unlike splice, that builds no array of
 * the removed entries, and per event only one or two expire.
 */
function dropFirst(array: unknown[], n: number): void {
  if (n > 8) array.splice(0, n);
  else for (let k = 0; k < n; k++) array.shift();
}

/** Drops the entries of ascending `ts` (and of up to two parallel arrays) at or before `cutoff`. */
export function dropUpTo(cutoff: number, ts: number[], a?: unknown[], b?: unknown[]): void {
  let n = 0;
  while (n < ts.length && (ts[n] as number) <= cutoff) n++;
  if (n === 0) return;
  dropFirst(ts, n);
  if (a) dropFirst(a, n);
  if (b) dropFirst(b, n);
}

/** What exactly-once application keeps in an entity's state. */
export interface SeenIds {
  /** Event ids applied within the dedupe horizon, in arrival order, with their times. */
  seen: Map<string, number>;
  /**
   * The newest time of an id forgotten to keep `seen` within its bound (−∞ while none was): events at or before it
   * are dropped, as they could be repeats of a forgotten id.
   */
  seenFloor: number;
  /** The entity's clock: the latest time applied. */
  latest: number;
}

/**
 * Remembers event ids for exactly-once application. Returns false when `id` was already applied, or when `ts` is
 * older than the horizon or at or before the floor (such an event could be a repeat we no longer remember, so it is
 * dropped, never doubled). At most `max` ids are kept: past that the earliest remembered is forgotten and the floor
 * rises to its time, so a flood of events on one entity (credential stuffing on one IP, brute force on one account)
 * shortens the horizon instead of growing the state without bound.
 */
export function markSeen(s: SeenIds, id: string, ts: number, max: number): boolean {
  if (ts <= s.seenFloor || ts <= s.latest - DEDUPE_HORIZON_MS || s.seen.has(id)) return false;
  s.seen.set(id, ts);
  if (s.seen.size > max) {
    const oldest = s.seen.keys().next().value as string;
    s.seenFloor = Math.max(s.seenFloor, s.seen.get(oldest) as number);
    s.seen.delete(oldest);
  }
  return true;
}

/**
 * Forgets ids older than the horizon. `seen` is in arrival order, which is time order but for late events, so the
 * scan stops at the first id still inside the horizon: a late id may be kept a little longer, never dropped early.
 */
export function pruneSeen(seen: Map<string, number>, latest: number): void {
  const cutoff = latest - DEDUPE_HORIZON_MS;
  // Keys and a lookup rather than entries: iterating entries builds a [key, value] array per step, on every event.
  for (const id of seen.keys()) {
    if ((seen.get(id) as number) > cutoff) break;
    seen.delete(id);
  }
}

/** −∞ as JSON holds it (null), and back. */
export const encodeTime = (t: number): number | null => (t === -Infinity ? null : t);
export const decodeTime = (t: number | null | undefined): number => t ?? -Infinity;

/** Keeps the last `max` entries of ascending `ts` and of up to two parallel arrays (the newest). */
export function keepLast(max: number, ts: unknown[], a?: unknown[], b?: unknown[]): void {
  const extra = ts.length - max;
  if (extra <= 0) return;
  dropFirst(ts, extra);
  if (a) dropFirst(a, extra);
  if (b) dropFirst(b, extra);
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

/**
 * Deletes the entry whose time (`timeOf`) is the oldest, the first such in insertion order: what goes when a map of
 * known values outgrows its bound. forEach rather than for…of over entries: no [key, value] array per entry.
 */
export function deleteOldest<V>(map: Map<string, V>, timeOf: (value: V) => number): void {
  let oldestKey: string | undefined;
  let oldest = Infinity;
  map.forEach((v, k) => {
    const t = timeOf(v);
    if (t < oldest) {
      oldest = t;
      oldestKey = k;
    }
  });
  if (oldestKey !== undefined) map.delete(oldestKey);
}

/** Deletes the entries whose time (`timeOf`) is at or before `cutoff`. */
export function deleteUpTo<V>(map: Map<string, V>, cutoff: number, timeOf: (value: V) => number): void {
  map.forEach((v, k) => {
    if (timeOf(v) <= cutoff) map.delete(k);
  });
}
