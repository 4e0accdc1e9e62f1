import { binaryCurve } from './binary-curve';
import { assertWholeNumber, sortByClass, type Labels, type Scores } from './binary-inputs';

/** A point of the ROC curve: flagging scores ≥ `threshold` gives this false-positive and true-positive rate. */
export interface RocPoint {
  fpr: number;
  tpr: number;
  /** `null` for the curve's start (0, 0), where nothing is flagged. */
  threshold: number | null;
}

/** A point of the precision–recall curve at threshold `threshold` (scores ≥ it are flagged). */
export interface PrPoint {
  recall: number;
  precision: number;
  /** `null` for the start (recall 0, precision 1), scikit-learn's convention for "nothing flagged". */
  threshold: number | null;
}

/** Most points a plotted curve keeps by default: plenty for a smooth line, small enough for an HTML report. */
export const DEFAULT_CURVE_POINTS = 500;

/** ROC curve from (0, 0) to (1, 1), one point per distinct score, thinned to at most `maxPoints`. Empty when a class is absent. */
export function rocCurve(scores: Scores, labels: Labels, maxPoints = DEFAULT_CURVE_POINTS): RocPoint[] {
  const c = binaryCurve(sortByClass(scores, labels));
  if (c.positives === 0 || c.negatives === 0) return [];
  const points: RocPoint[] = [{ fpr: 0, tpr: 0, threshold: null }];
  for (let n = 0; n < c.thresholds.length; n++) {
    points.push({ fpr: c.fps[n]! / c.negatives, tpr: c.tps[n]! / c.positives, threshold: c.thresholds[n]! });
  }
  return downsampleCurve(points, maxPoints, (p) => p.fpr, (p) => p.tpr);
}

/**
 * Precision–recall curve by falling threshold (recall rising), starting at (recall 0, precision 1), thinned to at
 * most `maxPoints`. Empty without any fraud.
 */
export function prCurve(scores: Scores, labels: Labels, maxPoints = DEFAULT_CURVE_POINTS): PrPoint[] {
  const c = binaryCurve(sortByClass(scores, labels));
  if (c.positives === 0) return [];
  const points: PrPoint[] = [{ recall: 0, precision: 1, threshold: null }];
  for (let n = 0; n < c.thresholds.length; n++) {
    const tp = c.tps[n]!;
    points.push({ recall: tp / c.positives, precision: tp / (tp + c.fps[n]!), threshold: c.thresholds[n]! });
  }
  return downsampleCurve(points, maxPoints, (p) => p.recall, (p) => p.precision);
}

/**
 * Thins a curve to at most `maxPoints` (≥ 2) points, keeping both ends. Points are kept by distance travelled
 * along the curve (|Δx| + |Δy|) rather than by index, so the steep low-false-positive end of a fraud ROC curve,
 * where thousands of thresholds sit close together in index but far apart on the plot, keeps its shape.
 */
export function downsampleCurve<P>(points: P[], maxPoints: number, x: (p: P) => number, y: (p: P) => number): P[] {
  assertWholeNumber('maxPoints', maxPoints, 2);
  if (points.length <= maxPoints) return points;
  const step = (i: number): number => Math.abs(x(points[i]!) - x(points[i - 1]!)) + Math.abs(y(points[i]!) - y(points[i - 1]!));
  let length = 0;
  for (let i = 1; i < points.length; i++) length += step(i);
  // Each interior point kept has at least `spacing` of path behind it, so at most maxPoints − 2 of them fit; the
  // count check only guards against rounding in the running sums.
  const spacing = length / (maxPoints - 2);
  const kept = [points[0]!];
  let travelled = 0;
  for (let i = 1; i < points.length - 1; i++) {
    travelled += step(i);
    if (travelled >= spacing && spacing > 0 && kept.length < maxPoints - 1) {
      kept.push(points[i]!);
      travelled = 0;
    }
  }
  kept.push(points[points.length - 1]!);
  return kept;
}
