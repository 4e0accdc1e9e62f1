import { assertSameLength, invalidField } from '../metrics/binary-inputs';

/**
 * Weighted isotonic (non-decreasing) least-squares fit of a sequence by pool-adjacent-violators: whenever a value
 * falls below the one before it, the two blocks merge into their weighted mean, and merging repeats backwards until
 * the block means rise. Returns one fitted value per input, e.g. [1, 3, 2, 4] → [1, 2.5, 2.5, 4].
 * Weights default to 1 and must be positive.
 */
export function poolAdjacentViolators(values: ArrayLike<number>, weights?: ArrayLike<number>): Float64Array {
  const n = values.length;
  if (weights) assertSameLength('weights', weights, n);
  // Blocks as a stack: weighted sum, total weight and the index where each block starts.
  const sumWY = new Float64Array(n);
  const sumW = new Float64Array(n);
  const start = new Int32Array(n);
  let top = -1;
  for (let i = 0; i < n; i++) {
    const w = weights ? weights[i]! : 1;
    if (!(w > 0)) throw invalidField(`weight ${i} is ${w}, expected a positive number`, ['weights', i], `expected a positive number, got ${w}`);
    top++;
    sumWY[top] = w * values[i]!;
    sumW[top] = w;
    start[top] = i;
    // Strictly decreasing means only: equal neighbours stay separate blocks, so no rounding enters equal values.
    while (top > 0 && sumWY[top - 1]! / sumW[top - 1]! > sumWY[top]! / sumW[top]!) {
      sumWY[top - 1]! += sumWY[top]!;
      sumW[top - 1]! += sumW[top]!;
      top--;
    }
  }
  const fitted = new Float64Array(n);
  for (let b = 0; b <= top; b++) {
    const end = b < top ? start[b + 1]! : n;
    fitted.fill(sumWY[b]! / sumW[b]!, start[b]!, end);
  }
  return fitted;
}
