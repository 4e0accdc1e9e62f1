import { sigmoid } from './gbdt/model';
import { interpolate } from './piecewise-linear';

/**
 * A fitted map from a model's raw score (its log-odds margin) to a calibrated probability. Training fits it on a
 * validation period (training/calibration); the ONNX export builds it into the graph, so `model.onnx` alone turns a
 * feature vector into a calibrated probability.
 */
export type Calibrator =
  /** Platt scaling: p = 1 / (1 + exp(−(a·s + b))). */
  | { kind: 'platt'; a: number; b: number }
  /** Isotonic: linear interpolation between knots (x ascending), clipped to the end values outside them. */
  | { kind: 'isotonic'; x: number[]; y: number[] };

/** The calibrated probability of one raw score (NaN in, NaN out). */
export function applyCalibrator(c: Calibrator, s: number): number {
  return c.kind === 'platt' ? sigmoid(c.a * s + c.b) : interpolate(c.x, c.y, s);
}
