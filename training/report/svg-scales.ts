/** A map from data values to SVG coordinates along one axis, with the ticks to draw on that axis. */
export interface Scale {
  /** Data value → coordinate in px. */
  map(value: number): number;
  /** The data interval the scale covers. */
  domain: readonly [number, number];
  /** Tick values, inside the domain, ascending. */
  ticks: number[];
  /** Tick label for a tick value. */
  format(value: number): string;
}

/**
 * A linear scale from `domain` onto the pixel interval `range` (which may run backwards, as y axes do) with about
 * `tickCount` ticks at round numbers. With `nice`, the domain grows to the enclosing ticks so that no bar ends past
 * the last labelled tick. A zero-width domain is widened by one unit on each side rather than dividing by zero.
 */
export function linearScale(domain: readonly [number, number], range: readonly [number, number], tickCount = 5, nice = false): Scale {
  let [lo, hi] = domain;
  if (hi === lo) [lo, hi] = [lo - 1, hi + 1];
  const step = niceStep((hi - lo) / tickCount);
  if (nice) [lo, hi] = [Math.floor(lo / step) * step, Math.ceil(hi / step) * step];
  const decimals = Math.max(0, -Math.floor(Math.log10(step)));
  const ticks: number[] = [];
  // Ticks are k · step; rounding to the step's decimals removes float noise such as 0.30000000000000004, and the
  // tolerance keeps the last tick when (hi − lo) / step lands just below a whole number.
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) ticks.push(Number((k * step).toFixed(decimals)));
  const [r0, r1] = range;
  return {
    map: (v) => r0 + ((v - lo) / (hi - lo)) * (r1 - r0),
    domain: [lo, hi],
    ticks,
    format: (v) => formatTickNumber(v, decimals),
  };
}

/**
 * A base-10 logarithmic scale from `domain` (both ends > 0) onto `range`. Ticks sit on powers of ten; when the
 * domain spans fewer than three of them, 2× and 5× ticks are added so the axis still has a few labels.
 */
export function logScale(domain: readonly [number, number], range: readonly [number, number]): Scale {
  const [lo, hi] = domain;
  if (!(lo > 0 && hi > lo)) throw new RangeError(`log scale needs 0 < low < high, got [${lo}, ${hi}]`);
  const decades: number[] = [];
  for (let e = Math.ceil(Math.log10(lo)); 10 ** e <= hi; e++) decades.push(10 ** e);
  const ticks = decades.length >= 3 ? decades : denseLogTicks(lo, hi);
  const [r0, r1] = range;
  const [l0, l1] = [Math.log10(lo), Math.log10(hi)];
  return {
    map: (v) => r0 + ((Math.log10(v) - l0) / (l1 - l0)) * (r1 - r0),
    domain: [lo, hi],
    ticks,
    format: formatCompact,
  };
}

/**
 * 1, 2, 5, 10, 20, 50, … from the first power of ten inside [lo, hi]: a count axis starting at ½ gets no "0.5" label.
 */
function denseLogTicks(lo: number, hi: number): number[] {
  const ticks: number[] = [];
  for (let e = Math.ceil(Math.log10(lo)); 10 ** e <= hi; e++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** e;
      if (v <= hi) ticks.push(v);
    }
  }
  return ticks;
}

/** The round step (1, 2 or 5 × 10^k) nearest above `raw`: the spacing people expect between axis ticks. */
export function niceStep(raw: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const f = raw / magnitude;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * magnitude;
}

/** Tick labels with the tick step's decimals; large values in compact form so they fit under a tick. */
function formatTickNumber(v: number, decimals: number): string {
  return Math.abs(v) >= 1e4 ? formatCompact(v) : v.toFixed(decimals);
}

/** 1, 10, 100, 1k, 10k, 1.5M: short labels for counts and gains. */
export function formatCompact(v: number): string {
  for (const [size, suffix] of [[1e9, 'G'], [1e6, 'M'], [1e3, 'k']] as const) {
    if (Math.abs(v) >= size) return `${Number((v / size).toPrecision(3))}${suffix}`;
  }
  return String(Number(v.toPrecision(3)));
}
