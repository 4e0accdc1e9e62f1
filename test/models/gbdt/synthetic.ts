import type { GbdtDataset } from '../../../models/gbdt/dataset';
import { createRandom } from '../../../models/gbdt/random';

/** Row-major uniform [0, 1) features. */
function uniformMatrix(nRows: number, nFeatures: number, random: () => number): Float32Array {
  const X = new Float32Array(nRows * nFeatures);
  for (let i = 0; i < X.length; i++) X[i] = random();
  return X;
}

/** y = (x0 > 0.5) XOR (x1 > 0.5), labels flipped with probability `noise`; the other features are pure noise. */
export function xorData(nRows: number, seed: number, nFeatures = 6, noise = 0.05): GbdtDataset {
  const random = createRandom(seed);
  const X = uniformMatrix(nRows, nFeatures, random);
  const y = new Uint8Array(nRows);
  for (let i = 0; i < nRows; i++) {
    const label = X[i * nFeatures]! > 0.5 !== X[i * nFeatures + 1]! > 0.5 ? 1 : 0;
    y[i] = random() < noise ? 1 - label : label;
  }
  return { X, nFeatures, y };
}

/** Labels drawn from P(y = 1) = sigmoid(4·x0 − 3·x1 + 2·x2 − 1.5), features uniform on [−1, 1); x3.. are noise. */
export function logisticData(nRows: number, seed: number, nFeatures = 5): GbdtDataset & { probability: Float64Array } {
  const random = createRandom(seed);
  const X = uniformMatrix(nRows, nFeatures, random);
  for (let i = 0; i < X.length; i++) X[i] = 2 * X[i]! - 1;
  const y = new Uint8Array(nRows);
  const probability = new Float64Array(nRows);
  for (let i = 0; i < nRows; i++) {
    const o = i * nFeatures;
    const z = 4 * X[o]! - 3 * X[o + 1]! + 2 * X[o + 2]! - 1.5;
    probability[i] = 1 / (1 + Math.exp(-z));
    y[i] = random() < probability[i]! ? 1 : 0;
  }
  return { X, nFeatures, y, probability };
}

/** Number of labels equal to 1. */
export function countPositives(y: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < y.length; i++) n += y[i] === 1 ? 1 : 0;
  return n;
}
