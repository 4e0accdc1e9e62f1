import { fitGbdt } from '../../../models/gbdt/train';
import type { GbdtDataset } from '../../../models/gbdt/dataset';

/** x = 0 for 30 rows (3 positives), x = 1 for 20 rows (15 positives). */
function twoGroups(): GbdtDataset {
  const X = new Float32Array(50);
  const y = new Uint8Array(50);
  for (let i = 0; i < 50; i++) {
    X[i] = i < 30 ? 0 : 1;
    y[i] = (i < 30 && i < 3) || (i >= 30 && i < 45) ? 1 : 0;
  }
  return { X, nFeatures: 1, y };
}

describe('L2 regularisation of leaf values', () => {
  // Every row starts at the prior p0 = 18 / 50, so g = p0 - y and h = p0 (1 - p0) for each row.
  const p0 = 18 / 50;
  const h = p0 * (1 - p0);
  const gLeft = 30 * p0 - 3;
  const gRight = 20 * p0 - 15;
  const eta = 0.3;

  it.each([0, 1, 10])('gives a one-split tree the leaf values -G / (H + lambda) × eta (lambda %d)', async (lambda) => {
    const { model } = await fitGbdt({ train: twoGroups(), options: { nRounds: 1, maxDepth: 1, lambda, learningRate: eta } });
    const tree = model.trees[0]!;
    expect(tree.feature[0]).toBe(0);
    expect(tree.value[tree.left[0]!]).toBeCloseTo((-gLeft / (30 * h + lambda)) * eta, 10);
    expect(tree.value[tree.right[0]!]).toBeCloseTo((-gRight / (20 * h + lambda)) * eta, 10);
    // Gain as XGBoost reports it: children's scores minus the parent's (G = 0 here).
    const G = gLeft + gRight;
    expect(tree.gain[0]).toBeCloseTo(gLeft ** 2 / (30 * h + lambda) + gRight ** 2 / (20 * h + lambda) - G ** 2 / (50 * h + lambda), 10);
    expect(tree.cover[0]).toBeCloseTo(50 * h, 10);
  });

  it('shrinks leaf values towards 0 as lambda grows', async () => {
    const leaf = async (lambda: number) => {
      const { model } = await fitGbdt({ train: twoGroups(), options: { nRounds: 1, maxDepth: 1, lambda } });
      return Math.abs(model.trees[0]!.value[1]!);
    };
    const [none, one, ten] = [await leaf(0), await leaf(1), await leaf(10)];
    expect(one).toBeLessThan(none);
    expect(ten).toBeLessThan(one);
  });

  it('does not split when a child would have less hessian than minChildWeight', async () => {
    // The right child has H = 20 h ≈ 4.6.
    const split = await fitGbdt({ train: twoGroups(), options: { nRounds: 1, maxDepth: 1, minChildWeight: 4.5 } });
    expect(split.model.trees[0]!.feature[0]).toBe(0);
    const blocked = await fitGbdt({ train: twoGroups(), options: { nRounds: 1, maxDepth: 1, minChildWeight: 4.7 } });
    expect(blocked.model.trees[0]!.feature.length).toBe(1);
  });
});
