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

export function applyCalibrator(c: Calibrator, s: number): number {
  if (c.kind === 'platt') {
    const z = c.a * s + c.b;
    return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
  }
  const { x, y } = c;
  const n = x.length;
  if (s <= (x[0] as number)) return y[0] as number;
  if (s >= (x[n - 1] as number)) return y[n - 1] as number;
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if ((x[mid] as number) <= s) lo = mid;
    else hi = mid;
  }
  const x0 = x[lo] as number;
  const x1 = x[hi] as number;
  const y0 = y[lo] as number;
  const y1 = y[hi] as number;
  return x1 === x0 ? y1 : y0 + ((y1 - y0) * (s - x0)) / (x1 - x0);
}
