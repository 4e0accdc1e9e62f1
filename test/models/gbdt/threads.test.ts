import { MIN_CELLS_FOR_THREADS, fitGbdt } from '../../../models/gbdt/train';
import type { GbdtOptions } from '../../../models/gbdt/options';
import { logisticData } from './synthetic';

describe('histograms on worker threads', () => {
  // Large enough for workers to be used: 22,000 rows × 50 features.
  const train = logisticData(22_000, 71, 50);
  for (let i = 0; i < train.X.length; i += 13) train.X[i] = NaN;
  expect(train.y.length * train.nFeatures).toBeGreaterThanOrEqual(MIN_CELLS_FOR_THREADS);

  it.each<[string, Partial<GbdtOptions>]>([
    ['depthwise', { nRounds: 4, maxDepth: 5 }],
    ['lossguide with row and column sampling', { nRounds: 4, growPolicy: 'lossguide', maxLeaves: 16, subsample: 0.7, colsampleByTree: 0.6, seed: 3 }],
  ])('give the same model with 2 threads as with 1 (%s)', async (_name, options) => {
    const one = await fitGbdt({ train, options: { ...options, nThreads: 1 } });
    const two = await fitGbdt({ train, options: { ...options, nThreads: 2 } });
    expect(one.threads).toBe(1);
    expect(two.threads).toBe(2);
    expect(two.sharedRounds).toBeGreaterThan(0);
    expect(JSON.stringify(two.model)).toBe(JSON.stringify(one.model));
  });

  it('stay on one thread for small data', async () => {
    const small = logisticData(1000, 72);
    const fit = await fitGbdt({ train: small, options: { nRounds: 2, nThreads: 2 } });
    expect(fit.threads).toBe(1);
  });
});
