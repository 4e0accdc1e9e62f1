import { invalidField, type Labels, type Scores } from '../metrics/binary-inputs';
import { applyCalibrator, type Calibrator } from '../../models/calibrator';
import { fitIsotonic, toPiecewiseLinear } from './isotonic';
import { fitPlatt } from './platt';

export type { Calibrator } from '../../models/calibrator';
export { applyCalibrator };

/** 'platt' or 'isotonic'. */
export type CalibratorKind = Calibrator['kind'];

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
