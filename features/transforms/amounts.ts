/**
 * Running statistics of log(1 + amount) kept as integer sums (scaled by {@link STAT_SCALE}). Integers make the
 * sums exact and order-independent, so every backend and every replay gives bit-identical means and variances.
 */
export const STAT_SCALE = 1e6;

export interface AmountStats {
  n: number;
  /** Σ round(x · STAT_SCALE) with x = ln(1 + usd). */
  sum: number;
  /** Σ round(x² · STAT_SCALE). */
  sumSq: number;
  /** Largest amount seen, USD. */
  max: number;
}

export const emptyAmountStats = (): AmountStats => ({ n: 0, sum: 0, sumSq: 0, max: 0 });

export const logAmount = (usd: number): number => Math.log1p(usd);

export function addAmount(s: AmountStats, usd: number): void {
  const x = logAmount(usd);
  s.n += 1;
  s.sum += Math.round(x * STAT_SCALE);
  s.sumSq += Math.round(x * x * STAT_SCALE);
  if (usd > s.max) s.max = usd;
}

export function amountMean(s: AmountStats): number {
  return s.n === 0 ? Number.NaN : s.sum / STAT_SCALE / s.n;
}

/** Population standard deviation of log-amounts; NaN below two observations. */
export function amountStd(s: AmountStats): number {
  if (s.n < 2) return Number.NaN;
  const mean = s.sum / STAT_SCALE / s.n;
  return Math.sqrt(Math.max(0, s.sumSq / STAT_SCALE / s.n - mean * mean));
}

/**
 * z-score of a new amount against the user's own log-amounts. The deviation is floored at `minStd` (0.25 in
 * log units, about ±28%) so a user who always sends the same amount does not make every change look extreme.
 */
export function amountZScore(s: AmountStats, usd: number, minStd = 0.25): number {
  if (s.n < 2) return Number.NaN;
  return (logAmount(usd) - amountMean(s)) / Math.max(amountStd(s), minStd);
}

/** New amount over the largest before it; NaN without history. */
export function ratioToMax(s: AmountStats, usd: number): number {
  return s.n === 0 ? Number.NaN : usd / Math.max(s.max, 1);
}
