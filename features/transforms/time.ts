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

/**
 * Counts for several windows in one backward scan: `out[w]` is the number of entries in (now − windows[w], now] and
 * `out[windows.length + w]` the number of those whose parallel flag equals `flag` (when `flags` is given). `windows`
 * must be ascending. Each figure equals {@link countInWindow} for that window alone.
 */
export function countsInWindows(ts: readonly number[], now: number, windows: readonly number[], flags?: readonly number[], flag?: number): number[] {
  // Without a flag nothing matches (NaN equals nothing), as in countInWindow.
  return windowTotals(ts, now, windows, flags, isFlag, flag ?? Number.NaN);
}

/**
 * Counts and sums for several ascending windows in one backward scan: `out[w]` is the number of entries in
 * (now − windows[w], now] and `out[windows.length + w]` the sum of their `values`, skipping unknown (NaN) values.
 * The sums add the same values in the same order (newest first) as a scan of each window alone would, so they are
 * bit-identical to it.
 */
export function countsAndSumsInWindows(ts: readonly number[], values: readonly number[], now: number, windows: readonly number[]): number[] {
  return windowTotals(ts, now, windows, values, knownValue, 0);
}

const isFlag = (v: number, flag: number): number => (v === flag ? 1 : 0);
// Adding 0 for an unknown value leaves a sum bit-identical to skipping it (a sum from +0 never becomes −0).
const knownValue = (v: number): number => (Number.isNaN(v) ? 0 : v);

/**
 * The scan behind {@link countsInWindows} and {@link countsAndSumsInWindows}: per ascending window, the entries in
 * (now − window, now] and the total of `weigh(values[i], arg)` over them (0 without `values`), newest first.
 * `weigh` and `arg` are separate so that callers pass shared functions rather than a closure per call.
 */
function windowTotals(
  ts: readonly number[],
  now: number,
  windows: readonly number[],
  values: readonly number[] | undefined,
  weigh: (v: number, arg: number) => number,
  arg: number,
): number[] {
  const n = windows.length;
  const out = new Array<number>(2 * n);
  let count = 0;
  let total = 0;
  let w = 0;
  for (let i = ts.length - 1; i >= 0 && w < n; i--) {
    const t = ts[i] as number;
    if (t > now) continue;
    while (w < n && t <= now - (windows[w] as number)) {
      out[w] = count;
      out[n + w++] = total;
    }
    if (w === n) break;
    count++;
    if (values !== undefined) total += weigh(values[i] as number, arg);
  }
  for (; w < n; w++) {
    out[w] = count;
    out[n + w] = total;
  }
  return out;
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

/** The newest entry of ascending `ts` in (now − windowMs, now], or undefined when there is none. */
export function latestInWindow(ts: readonly number[], now: number, windowMs: number): number | undefined {
  for (let i = ts.length - 1; i >= 0; i--) {
    const t = ts[i] as number;
    if (t <= now) return t > now - windowMs ? t : undefined;
  }
  return undefined;
}

/** Elapsed time from `then` to `now` in `unit` ms, or NaN ("unknown") when there is no `then`. */
export function elapsed(now: number, then: number | undefined, unit: number): number {
  return then === undefined ? Number.NaN : (now - then) / unit;
}
