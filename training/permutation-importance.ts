import { createRandom } from '../models/gbdt/random';
import { averagePrecision } from './metrics/average-precision';

/**
 * Permutation importance (Breiman 2001; as in scikit-learn's `permutation_importance`): the drop in average
 * precision when one feature's column is shuffled, on at most `maxRows` rows. Model-agnostic, for networks.
 */
export function permutationImportance(
  predict: (X: Float32Array) => Float64Array,
  X: Float32Array,
  nFeatures: number,
  labels: Uint8Array,
  options: { maxRows?: number; seed?: number } = {},
): Float64Array {
  const rows = Math.min(labels.length, options.maxRows ?? 5000);
  const sample = X.slice(0, rows * nFeatures);
  const y = labels.subarray(0, rows);
  const base = averagePrecision(predict(sample), y);
  const rand = createRandom(options.seed ?? 11);
  const out = new Float64Array(nFeatures);
  for (let f = 0; f < nFeatures; f++) {
    const shuffled = sample.slice();
    for (let i = rows - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      const a = shuffled[i * nFeatures + f] as number;
      shuffled[i * nFeatures + f] = shuffled[j * nFeatures + f] as number;
      shuffled[j * nFeatures + f] = a;
    }
    out[f] = Math.max(0, base - averagePrecision(predict(shuffled), y));
  }
  return out;
}
