import { assertBinaryInputs, assertProbabilities, type Labels, type Scores } from './binary-inputs';

/**
 * The probability given to the observed label is floored at ε before taking its log, so one confident mistake
 * costs −ln(1e-15) ≈ 34.5 instead of infinity (scikit-learn's former `log_loss` default ε).
 */
export const LOG_LOSS_EPSILON = 1e-15;

/** Brier score: mean of (p − y)² over events; 0 is perfect. NaN on empty input. */
export function brierScore(probabilities: Scores, labels: Labels): number {
  assertBinaryInputs(probabilities, labels);
  assertProbabilities(probabilities);
  let sum = 0;
  for (let i = 0; i < probabilities.length; i++) {
    const d = probabilities[i]! - labels[i]!;
    sum += d * d;
  }
  return sum / probabilities.length;
}

/** Mean negative log-likelihood −(y ln p + (1 − y) ln(1 − p)), natural log, the probability of the observed label floored at {@link LOG_LOSS_EPSILON}. */
export function logLoss(probabilities: Scores, labels: Labels): number {
  assertBinaryInputs(probabilities, labels);
  assertProbabilities(probabilities);
  let sum = 0;
  for (let i = 0; i < probabilities.length; i++) {
    const p = probabilities[i]!;
    // Clip the probability of the observed label rather than p itself: 1 − ε is not a double, 1 − p is exact for
    // p ≥ ½ (Sterbenz), and log1p keeps the precision of ln(1 − p) for small p.
    if (labels[i] === 1) sum -= Math.log(Math.max(p, LOG_LOSS_EPSILON));
    else sum -= p <= 0.5 ? Math.log1p(-p) : Math.log(Math.max(1 - p, LOG_LOSS_EPSILON));
  }
  return sum / probabilities.length;
}
