import { binaryCurve } from './binary-curve';
import { assertInRange, sortByClass, type Labels, type Scores } from './binary-inputs';

/**
 * The highest recall reachable with a threshold whose false-positive rate is at most `fpr` (e.g. 0.001: one legit
 * event in a thousand flagged). Thresholds sit at distinct scores, so a tie group that would push the rate over
 * `fpr` is left out entirely; flagging nothing (recall 0) always qualifies. NaN when either class is absent.
 */
export function recallAtFpr(scores: Scores, labels: Labels, fpr: number): number {
  assertInRange('fpr', fpr, 0, 1);
  const curve = binaryCurve(sortByClass(scores, labels));
  if (curve.positives === 0 || curve.negatives === 0) return Number.NaN;
  // tps and fps only grow as the threshold falls, so the best qualifying threshold is the last one within budget.
  let best = 0;
  for (let n = 0; n < curve.thresholds.length; n++) {
    if (curve.fps[n]! / curve.negatives > fpr) break;
    best = curve.tps[n]!;
  }
  return best / curve.positives;
}
