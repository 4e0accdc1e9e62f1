import { assertBinaryInputs, assertWholeNumber, invalidField, type Labels, type Scores } from '../metrics/binary-inputs';
import { logLoss } from '../metrics/probability-scores';
import { applyCalibrator, fitCalibrator, type Calibrator, type CalibratorKind } from './calibrator';

/** Options of {@link chooseCalibrator}. */
export interface ChooseCalibratorOptions {
  /** Cross-fitting folds over the validation slice. @defaultValue 5 */
  folds?: number;
  /**
   * Fewest frauds for isotonic regression to be considered: with fewer, its steps follow individual frauds and
   * Platt's two parameters generalise better. @defaultValue 50
   */
  minIsotonicPositives?: number;
}

/** The calibrator picked for a validation slice, and why. */
export interface CalibratorChoice {
  /** Fitted on the whole validation slice. */
  calibrator: Calibrator;
  /** Out-of-fold log-loss of each candidate; `isotonic` is null when the guard ruled it out. */
  logLoss: { platt: number; isotonic: number | null };
  reason: string;
}

/**
 * Picks Platt scaling or isotonic regression for raw validation scores by the lower log-loss, then refits the
 * winner on the whole slice. Each candidate's log-loss is measured out of fold (fit on k − 1 interleaved folds,
 * scored on the k-th) because isotonic regression scored on its own fitting data would always look best. Isotonic
 * is only considered with at least `minIsotonicPositives` frauds; a tie goes to Platt, the smoother of the two.
 */
export function chooseCalibrator(scores: Scores, labels: Labels, options: ChooseCalibratorOptions = {}): CalibratorChoice {
  const folds = options.folds ?? 5;
  const minIsotonicPositives = options.minIsotonicPositives ?? 50;
  assertBinaryInputs(scores, labels);
  assertWholeNumber('folds', folds, 2);
  if (scores.length < folds) {
    throw invalidField(`${scores.length} events cannot fill ${folds} folds`, ['scores'], `expected at least ${folds} scores, got ${scores.length}`);
  }
  let positives = 0;
  for (let i = 0; i < labels.length; i++) positives += labels[i]!;

  const platt = outOfFoldLogLoss('platt', scores, labels, folds);
  if (positives < minIsotonicPositives) {
    return {
      calibrator: fitCalibrator('platt', scores, labels),
      logLoss: { platt, isotonic: null },
      reason: `platt: ${positives} frauds, isotonic needs at least ${minIsotonicPositives}`,
    };
  }
  const isotonic = outOfFoldLogLoss('isotonic', scores, labels, folds);
  const kind: CalibratorKind = isotonic < platt ? 'isotonic' : 'platt';
  return {
    calibrator: fitCalibrator(kind, scores, labels),
    logLoss: { platt, isotonic },
    reason: `${kind}: lower out-of-fold log-loss (platt ${platt.toFixed(5)}, isotonic ${isotonic.toFixed(5)})`,
  };
}

/** Log-loss of `kind` over the whole slice, each event scored by a calibrator fitted without its fold (i mod folds). */
function outOfFoldLogLoss(kind: CalibratorKind, scores: Scores, labels: Labels, folds: number): number {
  const n = scores.length;
  const probabilities = new Float64Array(n);
  for (let fold = 0; fold < folds; fold++) {
    const fitScores: number[] = [];
    const fitLabels: number[] = [];
    for (let i = 0; i < n; i++) {
      if (i % folds === fold) continue;
      fitScores.push(scores[i]!);
      fitLabels.push(labels[i]!);
    }
    const calibrator = fitCalibrator(kind, fitScores, fitLabels);
    for (let i = fold; i < n; i += folds) probabilities[i] = applyCalibrator(calibrator, scores[i]!);
  }
  return logLoss(probabilities, labels);
}
