/**
 * When each value was last counted, as a pass number: a value is new to the current pass when its mark is older.
 * One map reused by every call, rather than a Set per call: a busy IP or address has up to 2,000 entries per scan,
 * and a fresh Set of them was the largest allocation of a replay. It only grows with values never seen before (user
 * ids), and is dropped past {@link MAX_MARKED} values.
 */
const marks = new Map<string, number>();
let pass = 0;
const MAX_MARKED = 1 << 20;

/**
 * Distinct values among entries in each window (now − w, now], for several windows in one backward scan.
 * `ts` is ascending and `values` parallel to it; `windows` must be ascending.
 */
export function distinctInWindows(ts: readonly number[], values: readonly string[], now: number, windows: readonly number[]): number[] {
  if (marks.size > MAX_MARKED || pass === Number.MAX_SAFE_INTEGER) {
    marks.clear();
    pass = 0;
  }
  const current = ++pass;
  const out = new Array<number>(windows.length).fill(0);
  let distinct = 0;
  let w = 0;
  for (let i = ts.length - 1; i >= 0 && w < windows.length; i--) {
    const t = ts[i] as number;
    if (t > now) continue;
    while (w < windows.length && t <= now - (windows[w] as number)) out[w++] = distinct;
    if (w === windows.length) break;
    const value = values[i] as string;
    if (marks.get(value) !== current) {
      marks.set(value, current);
      distinct++;
    }
  }
  while (w < windows.length) out[w++] = distinct;
  return out;
}

/**
 * Share of the entries in (now − w, now] whose id carries a label known by `now` that says fraud, and the number
 * of such labels. A label counts only from the time it became known, never from the time of the event it labels.
 */
export function fraudShareInWindow(
  ts: readonly number[],
  ids: readonly string[],
  labels: ReadonlyMap<string, readonly [number, number]>,
  now: number,
  windowMs: number,
): number {
  let n = 0;
  let fraud = 0;
  for (let i = ts.length - 1; i >= 0; i--) {
    const t = ts[i] as number;
    if (t <= now - windowMs) break;
    if (t > now) continue;
    n++;
    const label = labels.get(ids[i] as string);
    if (label && label[0] <= now && label[1] === 1) fraud++;
  }
  return n === 0 ? Number.NaN : fraud / n;
}

/** Number of labels in `labels` that became known in (now − w, now] and say fraud (w = Infinity: all so far). */
export function fraudLabelsKnown(labels: ReadonlyMap<string, readonly [number, number]>, now: number, windowMs = Infinity): number {
  let n = 0;
  for (const [t, fraud] of labels.values()) if (fraud === 1 && t <= now && t > now - windowMs) n++;
  return n;
}
