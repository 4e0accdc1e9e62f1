import { invalidField, type Labels, type Scores } from '../metrics/binary-inputs';
import { interpolate } from './piecewise-linear';
import { fitIsotonic, toPiecewiseLinear } from './isotonic';
import { fitPlatt, plattProbability } from './platt';

/**
 * Turns a model's raw score (its logit or margin) into a calibrated fraud probability. Plain JSON: it is stored in
 * the model manifest and encoded into the ONNX graph by the export.
 * - `platt`: p = 1 / (1 + exp(−(a·s + b))).
 * - `isotonic`: piecewise-linear through the knots (x[i], y[i]), x increasing, constant beyond the ends.
 */
export type Calibrator = { kind: 'platt'; a: number; b: number } | { kind: 'isotonic'; x: number[]; y: number[] };

export type CalibratorKind = Calibrator['kind'];

export function applyCalibrator(c: Calibrator, score: number): number {
  switch (c.kind) {
    case 'platt':
      return plattProbability(c, score);
    case 'isotonic':
      return interpolate(c.x, c.y, score);
  }
}

/** {@link applyCalibrator} over a whole set of scores. */
export function calibrateScores(c: Calibrator, scores: Scores): Float64Array {
  const out = new Float64Array(scores.length);
  for (let i = 0; i < scores.length; i++) out[i] = applyCalibrator(c, scores[i]!);
  return out;
}

/** Fits a calibrator of the given kind on validation scores (raw model scores) and their 0/1 labels. */
export function fitCalibrator(kind: CalibratorKind, scores: Scores, labels: Labels): Calibrator {
  switch (kind) {
    case 'platt':
      return { kind, ...fitPlatt(scores, labels) };
    case 'isotonic':
      return { kind, ...toPiecewiseLinear(fitIsotonic(scores, labels)) };
    default:
      throw invalidField(`unknown calibrator kind '${String(kind)}'`, ['kind'], `expected 'platt' or 'isotonic', got '${String(kind)}'`);
  }
}
