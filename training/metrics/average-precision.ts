import { binaryCurve } from './binary-curve';
import { sortByClass, type Labels, type Scores } from './binary-inputs';

/**
 * Average precision as scikit-learn's `average_precision_score` defines it (sklearn/metrics/_ranking.py; user
 * guide §"Precision, recall and F-measures"): AP = Σₙ (Rₙ − Rₙ₋₁) Pₙ, where Pₙ and Rₙ are the precision and recall
 * at the n-th distinct threshold taken from the highest score down and R₀ = 0. Step-wise, not interpolated; tied
 * scores form one threshold. NaN without any fraud (scikit-learn warns and returns 0; recall is undefined there).
 */
export function averagePrecision(scores: Scores, labels: Labels): number {
  const curve = binaryCurve(sortByClass(scores, labels));
  if (curve.positives === 0) return Number.NaN;
  let ap = 0;
  let prevTp = 0;
  for (let n = 0; n < curve.thresholds.length; n++) {
    const tp = curve.tps[n]!;
    if (tp === prevTp) continue; // recall did not move: the term is zero
    const precision = tp / (tp + curve.fps[n]!);
    ap += ((tp - prevTp) / curve.positives) * precision;
    prevTp = tp;
  }
  return ap;
}
