import { fitGbdt } from '../../../models/gbdt/train';
import { rocAuc } from '../../../models/gbdt/metrics';
import { treeDepth } from '../../../models/gbdt/tree';
import { countPositives, logisticData, xorData } from './synthetic';

describe('fitGbdt learns known functions', () => {
  it('learns XOR of two features among noise features (held-out AUC > 0.95)', async () => {
    const train = xorData(4000, 1, 8, 0.02);
    const test = xorData(4000, 2, 8, 0.02);
    const { model } = await fitGbdt({ train, options: { nRounds: 40, maxDepth: 3 } });
    expect(rocAuc(model.predictRaw(test.X), test.y)).toBeGreaterThan(0.95);
    // A single feature carries no signal in XOR: the model must combine x0 and x1, and ignore the noise.
    const gain = model.featureImportance('gain');
    const noise = Math.max(...Array.from(gain.subarray(2)));
    expect(gain[0]!).toBeGreaterThan(5 * noise);
    expect(gain[1]!).toBeGreaterThan(5 * noise);
  });

  it('learns a logistic function: AUC and probabilities close to the true ones', async () => {
    const train = logisticData(12_000, 3);
    const test = logisticData(5_000, 4);
    const { model } = await fitGbdt({ train, options: { nRounds: 100, learningRate: 0.1, maxDepth: 3 } });
    const p = model.predictProba(test.X);
    expect(rocAuc(model.predictRaw(test.X), test.y)).toBeGreaterThan(rocAuc(test.probability, test.y) - 0.01);
    let error = 0;
    for (let i = 0; i < p.length; i++) error += Math.abs(p[i]! - test.probability[i]!);
    expect(error / p.length).toBeLessThan(0.04);
  });

  it('starts from the log-odds of the prior', async () => {
    const train = logisticData(2000, 5);
    const positives = countPositives(train.y);
    const { model } = await fitGbdt({ train, options: { nRounds: 1 } });
    expect(model.baseScore).toBeCloseTo(Math.log(positives / (2000 - positives)), 12);
  });

  it('respects maxDepth (depthwise) and maxLeaves (lossguide)', async () => {
    const train = logisticData(5000, 6);
    const depthwise = await fitGbdt({ train, options: { nRounds: 5, maxDepth: 2, minChildWeight: 0 } });
    for (const tree of depthwise.model.trees) expect(treeDepth(tree)).toBeLessThanOrEqual(2);
    expect(depthwise.model.trees.some((tree) => treeDepth(tree) === 2)).toBe(true);

    const lossguide = await fitGbdt({ train, options: { nRounds: 5, growPolicy: 'lossguide', maxLeaves: 5, maxDepth: 0, minChildWeight: 0 } });
    for (const tree of lossguide.model.trees) {
      const leaves = Array.from(tree.feature).filter((f) => f < 0).length;
      expect(leaves).toBe(5);
    }
    // Best-first growth with 5 leaves and no depth limit goes deeper than a balanced tree would (depth 3).
    expect(Math.max(...lossguide.model.trees.map((t) => treeDepth(t)))).toBeGreaterThan(2);

    const capped = await fitGbdt({ train, options: { nRounds: 3, maxDepth: 6, maxLeaves: 3 } });
    for (const tree of capped.model.trees) expect(Array.from(tree.feature).filter((f) => f < 0).length).toBeLessThanOrEqual(3);
  });

  it('ranks features by gain and counts splits per feature', async () => {
    const train = logisticData(3000, 7);
    const { model } = await fitGbdt({ train, options: { nRounds: 10, maxDepth: 3 } });
    const splits = model.featureImportance('split');
    const internal = model.trees.reduce((n, t) => n + Array.from(t.feature).filter((f) => f >= 0).length, 0);
    expect(splits.reduce((a, b) => a + b, 0)).toBe(internal);
    // Coefficients 4, 3, 2 on x0, x1, x2; x3 and x4 are noise.
    const gain = model.featureImportance('gain');
    expect(gain[0]!).toBeGreaterThan(gain[1]!);
    expect(gain[1]!).toBeGreaterThan(gain[2]!);
    expect(gain[2]!).toBeGreaterThan(Math.max(gain[3]!, gain[4]!));
  });

  it('stops a split whose gain is below gamma', async () => {
    const train = logisticData(3000, 8);
    const free = await fitGbdt({ train, options: { nRounds: 1, maxDepth: 4 } });
    const rootGain = free.model.trees[0]!.gain[0]!;
    const blocked = await fitGbdt({ train, options: { nRounds: 1, maxDepth: 4, gamma: rootGain + 1 } });
    expect(blocked.model.trees[0]!.feature.length).toBe(1);
  });
});
