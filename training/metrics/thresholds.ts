import {
  assertFiniteScores,
  assertInRange,
  assertNotEmpty,
  countAtOrAbove,
  invalidField,
  sortByClass,
  type Labels,
  type Scores,
} from './binary-inputs';

/** What one decision threshold would do on a labelled set: events with score ≥ `threshold` are flagged. */
export interface ThresholdRow {
  threshold: number;
  /** Events flagged (would be stepped up or held). */
  flagged: number;
  /** flagged / all events. */
  flaggedRate: number;
  /** Frauds flagged. */
  caught: number;
  /** caught / all frauds; NaN without any fraud. */
  recall: number;
  /** caught / flagged; NaN when nothing is flagged. */
  precision: number;
}

/** One {@link ThresholdRow} per threshold, in the order given. */
export function thresholdTable(scores: Scores, labels: Labels, thresholds: readonly number[]): ThresholdRow[] {
  const { positives, negatives } = sortByClass(scores, labels);
  const n = positives.length + negatives.length;
  return thresholds.map((threshold, i) => {
    if (Number.isNaN(threshold)) {
      throw invalidField(`threshold ${i} is NaN`, ['thresholds', i], 'expected a number, got NaN');
    }
    const caught = countAtOrAbove(positives, threshold);
    const flagged = caught + countAtOrAbove(negatives, threshold);
    return {
      threshold,
      flagged,
      flaggedRate: flagged / n,
      caught,
      recall: caught / positives.length,
      precision: caught / flagged,
    };
  });
}

/**
 * The lowest threshold that flags (score ≥ threshold) at most `rate` of the events: used to set the step-up and
 * hold thresholds from target review volumes on validation scores. "At most" because a tie group of scores cannot
 * be split; when even the highest score's tie group is more than `rate`, the threshold is the next number above the
 * highest score, flagging nothing.
 */
export function thresholdForRate(scores: Scores, rate: number): number {
  assertInRange('rate', rate, 0, 1);
  assertFiniteScores(scores);
  const n = scores.length;
  assertNotEmpty(scores, 'set a threshold');
  const sorted = Float64Array.from(scores).sort();
  // Largest k with k / n ≤ rate. Comparing the divided count (correctly rounded) with `rate` avoids the off-by-one
  // of Math.floor(rate * n) when e.g. 0.29 * 100 = 28.999999999999996.
  let k = Math.floor(rate * n);
  while (k < n && (k + 1) / n <= rate) k++;
  while (k > 0 && k / n > rate) k--;
  // Flag the top k, then move the cut up past any tie group it would split.
  let i = n - k;
  while (i > 0 && i < n && sorted[i - 1] === sorted[i]) i++;
  return i < n ? sorted[i]! : nextUp(sorted[n - 1]!);
}

/** The smallest double greater than a finite `x`. */
function nextUp(x: number): number {
  if (x === 0) return Number.MIN_VALUE;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigInt64(0);
  // IEEE 754 doubles of one sign are ordered like their bit patterns; negative ones in reverse.
  view.setBigInt64(0, x > 0 ? bits + 1n : bits - 1n);
  return view.getFloat64(0);
}
