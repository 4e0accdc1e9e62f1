import { fitGbdt } from '../../../models/gbdt/train';
import { logisticData } from './synthetic';

describe('row and column subsampling', () => {
  const train = logisticData(3000, 41, 10);
  const sampled = { nRounds: 15, maxDepth: 3, subsample: 0.6, colsampleByTree: 0.5 };

  it('gives the same model for the same seed and a different one for another seed', async () => {
    const a = await fitGbdt({ train, options: { ...sampled, seed: 7 } });
    const b = await fitGbdt({ train, options: { ...sampled, seed: 7 } });
    const c = await fitGbdt({ train, options: { ...sampled, seed: 8 } });
    expect(JSON.stringify(a.model)).toBe(JSON.stringify(b.model));
    expect(JSON.stringify(a.model)).not.toBe(JSON.stringify(c.model));
  });

  it('grows each tree on about `subsample` of the rows', async () => {
    const { model } = await fitGbdt({ train, options: { nRounds: 10, maxDepth: 2, subsample: 0.6 } });
    const full = await fitGbdt({ train, options: { nRounds: 1, maxDepth: 2 } });
    // The root's cover is the hessian sum of the rows drawn; every row starts with the same hessian.
    const share = model.trees[0]!.cover[0]! / full.model.trees[0]!.cover[0]!;
    expect(share).toBeGreaterThan(0.55);
    expect(share).toBeLessThan(0.65);
  });

  it('splits each tree on at most `colsampleByTree` of the features', async () => {
    const { model } = await fitGbdt({ train, options: { nRounds: 20, maxDepth: 4, colsampleByTree: 0.3 } });
    const used = new Set<number>();
    for (const tree of model.trees) {
      const features = new Set(Array.from(tree.feature).filter((f) => f >= 0));
      expect(features.size).toBeLessThanOrEqual(3);
      features.forEach((f) => used.add(f));
    }
    // Different trees draw different features.
    expect(used.size).toBeGreaterThan(3);
  });
});
