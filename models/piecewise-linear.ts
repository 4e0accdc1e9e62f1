import { ValidationError } from '../core/errors';

/**
 * A piecewise-linear function given by its knots: x strictly increasing, y[i] the value at x[i], linear between
 * knots and constant beyond the ends. Plain arrays, so it goes into JSON (the model manifest) and into the ONNX
 * graph as two constant tensors unchanged.
 */
export interface PiecewiseLinear {
  x: number[];
  y: number[];
}

/**
 * Value at `v` of the function with knots (xs, ys), by binary search for the enclosing knots and linear
 * interpolation, clipped to the end values outside [xs[0], xs[last]] (numpy's `interp`, which scikit-learn's
 * IsotonicRegression(out_of_bounds='clip') predicts with). NaN in, NaN out.
 */
export function interpolate(xs: ArrayLike<number>, ys: ArrayLike<number>, v: number): number {
  const last = xs.length - 1;
  if (last < 0 || ys.length !== xs.length) {
    throw new ValidationError(`knots need equal, non-zero x and y lengths, got ${xs.length} and ${ys.length}`, [
      { path: ['x'], message: 'expected as many x as y knots, at least one' },
    ]);
  }
  if (v <= xs[0]!) return ys[0]!;
  if (v >= xs[last]!) return ys[last]!;
  // Invariant: xs[lo] < v ≤ xs[hi] (a NaN v ends with lo = 0, hi = 1 and comes out NaN).
  let lo = 0;
  let hi = last;
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid]! < v) lo = mid;
    else hi = mid;
  }
  const x0 = xs[lo]!;
  const y0 = ys[lo]!;
  return y0 + ((v - x0) * (ys[hi]! - y0)) / (xs[hi]! - x0);
}
