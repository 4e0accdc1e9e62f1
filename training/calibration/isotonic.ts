import { assertBinaryInputs, assertNotEmpty, assertSameLength, invalidField, type Labels, type Scores } from '../metrics/binary-inputs';
import { interpolate, type PiecewiseLinear } from '../../models/piecewise-linear';
import { poolAdjacentViolators } from './pool-adjacent-violators';

/**
 * A fitted isotonic regression: fraud probability `values[i]` at score `thresholds[i]` (thresholds strictly
 * increasing, values non-decreasing), read between thresholds by linear interpolation and clipped outside them.
 */
export interface IsotonicFit {
  thresholds: Float64Array;
  values: Float64Array;
}

/**
 * Isotonic regression of 0/1 labels on scores, as scikit-learn's `IsotonicRegression(out_of_bounds='clip')` fits
 * it (sklearn/isotonic.py `_build_y`): sort by score, merge events with equal scores into one point at their
 * weighted mean label, fit by pool-adjacent-violators, then keep only the first and last point of each flat run
 * (the ones in between add nothing to the interpolation). Weights default to 1 and must be positive.
 */
export function fitIsotonic(scores: Scores, labels: Labels, weights?: ArrayLike<number>): IsotonicFit {
  assertBinaryInputs(scores, labels);
  const n = scores.length;
  assertNotEmpty(scores, 'fit isotonic regression');
  if (weights) assertSameLength('weights', weights, n);
  const order = Uint32Array.from({ length: n }, (_, i) => i).sort((i, j) => scores[i]! - scores[j]!);

  const x: number[] = [];
  const sumWY: number[] = [];
  const sumW: number[] = [];
  for (const i of order) {
    const w = weights ? weights[i]! : 1;
    if (!(w > 0)) throw invalidField(`weight ${i} is ${w}, expected a positive number`, ['weights', i], `expected a positive number, got ${w}`);
    const s = scores[i]!;
    const last = x.length - 1;
    if (last >= 0 && x[last] === s) {
      sumWY[last]! += w * labels[i]!;
      sumW[last]! += w;
    } else {
      x.push(s);
      sumWY.push(w * labels[i]!);
      sumW.push(w);
    }
  }
  const fitted = poolAdjacentViolators(sumWY.map((wy, k) => wy / sumW[k]!), sumW);

  const thresholds: number[] = [];
  const values: number[] = [];
  for (let k = 0; k < x.length; k++) {
    const y = fitted[k]!;
    const interior = k > 0 && k < x.length - 1 && fitted[k - 1] === y && fitted[k + 1] === y;
    if (interior) continue;
    thresholds.push(x[k]!);
    values.push(y);
  }
  return { thresholds: Float64Array.from(thresholds), values: Float64Array.from(values) };
}

/** The fitted probability at `score`. */
export function predictIsotonic(fit: IsotonicFit, score: number): number {
  return interpolate(fit.thresholds, fit.values, score);
}

/** The fit as plain knot arrays, for JSON and for the ONNX export (which interpolates the same way). */
export function toPiecewiseLinear(fit: IsotonicFit): PiecewiseLinear {
  return { x: Array.from(fit.thresholds), y: Array.from(fit.values) };
}
