import { assertBinaryInputs, assertProbabilities, assertWholeNumber, type Labels, type Scores } from './binary-inputs';

/** One bin of a reliability diagram. */
export interface CalibrationBin {
  /** The bin covers [lower, upper); the last bin also holds p = 1. */
  lower: number;
  upper: number;
  /** Mean predicted probability of the events in the bin. */
  meanPredicted: number;
  /** Share of fraud among them. */
  observedRate: number;
  count: number;
}

/**
 * Reliability diagram on `bins` equal-width bins of [0, 1]. Empty bins are left out (as scikit-learn's
 * `calibration_curve` does), so every bin returned has count ≥ 1.
 */
export function calibrationCurve(probabilities: Scores, labels: Labels, bins = 10): CalibrationBin[] {
  assertBinaryInputs(probabilities, labels);
  assertProbabilities(probabilities);
  assertWholeNumber('bins', bins, 1);
  const count = new Float64Array(bins);
  const sumPredicted = new Float64Array(bins);
  const sumLabels = new Float64Array(bins);
  for (let i = 0; i < probabilities.length; i++) {
    const p = probabilities[i]!;
    const b = Math.min(Math.floor(p * bins), bins - 1);
    count[b]!++;
    sumPredicted[b]! += p;
    sumLabels[b]! += labels[i]!;
  }
  const result: CalibrationBin[] = [];
  for (let b = 0; b < bins; b++) {
    const n = count[b]!;
    if (n === 0) continue;
    result.push({ lower: b / bins, upper: (b + 1) / bins, meanPredicted: sumPredicted[b]! / n, observedRate: sumLabels[b]! / n, count: n });
  }
  return result;
}
