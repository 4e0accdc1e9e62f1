/** Durations in milliseconds, the unit of every timestamp in feature state. */
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/**
 * Counts entries with a timestamp in the window (now − windowMs, now], and when `flags` is given only those whose
 * parallel flag equals `flag` (e.g. failed attempts). `ts` is sorted ascending (state keeps it so), which lets the
 * scan start from the newest end and stop early.
 */
export function countInWindow(ts: readonly number[], now: number, windowMs: number, flags?: readonly number[], flag?: number): number {
  const from = now - windowMs;
  let n = 0;
  for (let i = ts.length - 1; i >= 0; i--) {
    const t = ts[i] as number;
    if (t <= from) break;
    if (t <= now && (flags === undefined || flags[i] === flag)) n++;
  }
  return n;
}

/** Sums `values[i]` over entries whose `ts[i]` is in (now − windowMs, now], skipping unknown (NaN) values. */
export function sumInWindow(ts: readonly number[], values: readonly number[], now: number, windowMs: number): number {
  const from = now - windowMs;
  let sum = 0;
  for (let i = ts.length - 1; i >= 0; i--) {
    const t = ts[i] as number;
    if (t <= from) break;
    const v = values[i] as number;
    if (t <= now && !Number.isNaN(v)) sum += v;
  }
  return sum;
}

/** Counts `[first, last, …]` entries whose last-seen time is in (now − windowMs, now]. */
export function countSeenSince(seen: Iterable<readonly number[]>, now: number, windowMs: number): number {
  const from = now - windowMs;
  let n = 0;
  for (const v of seen) {
    const t = v[1] as number;
    if (t > from && t <= now) n++;
  }
  return n;
}

/** Elapsed time from `then` to `now` in `unit` ms, or NaN ("unknown") when there is no `then`. */
export function elapsed(now: number, then: number | undefined, unit: number): number {
  return then === undefined ? Number.NaN : (now - then) / unit;
}
