/** What the report shows for a metric that is undefined on the data (`null` in metrics.json, NaN in a table). */
export const NOT_AVAILABLE = 'n/a';

const missing = (x: number | null): x is null => x === null || !Number.isFinite(x);

/** A score-like metric (AUC, AP, Brier…) with `digits` decimals, or "n/a". */
export function formatDecimal(x: number | null, digits = 4): string {
  return missing(x) ? NOT_AVAILABLE : x.toFixed(digits);
}

/** A share as a percentage ("12.35 %"), or "n/a". */
export function formatPercent(x: number | null, digits = 2): string {
  return missing(x) ? NOT_AVAILABLE : `${(x * 100).toFixed(digits)} %`;
}

/** A count with thin-space thousands separators ("1 234 567"), which read the same in every locale. */
export function formatCount(x: number): string {
  return missing(x) ? NOT_AVAILABLE : Math.round(x).toString().replace(/\B(?=(\d{3})+(?!\d))/g, '\u2009');
}

/**
 * A decision threshold: enough significant digits to tell thresholds apart (they are often tiny probabilities such
 * as 0.00312), without the 17 digits of a raw double.
 */
export function formatThreshold(x: number): string {
  if (missing(x)) return NOT_AVAILABLE;
  return x === 0 || Math.abs(x) >= 0.01 ? String(Number(x.toFixed(4))) : x.toPrecision(3);
}
