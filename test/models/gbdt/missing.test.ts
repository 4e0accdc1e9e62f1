import { fitGbdt } from '../../../models/gbdt/train';
import { createRandom } from '../../../models/gbdt/random';
import type { GbdtDataset } from '../../../models/gbdt/dataset';

/** x0 is noise; x1 is missing exactly when the label is 1 (30% of rows), uniform otherwise. */
function missingWhenPositive(nRows: number, seed: number): GbdtDataset {
  const random = createRandom(seed);
  const X = new Float32Array(nRows * 2);
  const y = new Uint8Array(nRows);
  for (let i = 0; i < nRows; i++) {
    y[i] = random() < 0.3 ? 1 : 0;
    X[2 * i] = random();
    X[2 * i + 1] = y[i] ? NaN : random();
  }
  return { X, nFeatures: 2, y };
}

/** y = x0 > 0.5; 10% of x0 missing, and those rows' label is `missingLabel`. */
function thresholdWithMissing(nRows: number, seed: number, missingLabel: number): GbdtDataset {
  const random = createRandom(seed);
  const X = new Float32Array(nRows);
  const y = new Uint8Array(nRows);
  for (let i = 0; i < nRows; i++) {
    if (random() < 0.1) {
      X[i] = NaN;
      y[i] = missingLabel;
    } else {
      X[i] = random();
      y[i] = X[i]! > 0.5 ? 1 : 0;
    }
  }
  return { X, nFeatures: 1, y };
}

describe('missing values', () => {
  it('uses a feature that is missing exactly when the label is 1, through the default direction', async () => {
    const { model } = await fitGbdt({ train: missingWhenPositive(3000, 1), options: { nRounds: 20, maxDepth: 2 } });
    const root = model.trees[0]!;
    expect(root.feature[0]).toBe(1);
    // A "missing vs present" split: every present value goes right, missing values go left by default.
    expect(root.threshold[0]).toBe(-3.4028234663852886e38);
    expect(root.defaultLeft[0]).toBe(1);
    expect(root.value[root.left[0]!]!).toBeGreaterThan(0);

    const test = missingWhenPositive(2000, 2);
    const p = model.predictProba(test.X);
    for (let i = 0; i < test.y.length; i++) {
      if (test.y[i] === 1) expect(p[i]!).toBeGreaterThan(0.95);
      else expect(p[i]!).toBeLessThan(0.05);
    }
  });

  it('learns the default direction of a threshold split from where the missing rows belong', async () => {
    for (const missingLabel of [1, 0]) {
      const { model } = await fitGbdt({ train: thresholdWithMissing(4000, 3, missingLabel), options: { nRounds: 1, maxDepth: 1 } });
      const tree = model.trees[0]!;
      expect(tree.feature[0]).toBe(0);
      expect(Math.abs(tree.threshold[0]! - 0.5)).toBeLessThan(0.01);
      // Positives are right of 0.5: missing rows labelled 1 go right, labelled 0 go left.
      expect(tree.defaultLeft[0]).toBe(missingLabel === 1 ? 0 : 1);
      const nanMargin = model.predictRaw(Float32Array.from([NaN]))[0]!;
      const lowMargin = model.predictRaw(Float32Array.from([0.1]))[0]!;
      const highMargin = model.predictRaw(Float32Array.from([0.9]))[0]!;
      expect(nanMargin).toBe(missingLabel === 1 ? highMargin : lowMargin);
    }
  });

  it('sends values never missing in training to the child with more cover', async () => {
    // y = x0 > 0.8: the left child (x0 < 0.8) holds most rows.
    const random = createRandom(4);
    const X = Float32Array.from({ length: 3000 }, () => random());
    const y = Uint8Array.from(X, (x) => (x > 0.8 ? 1 : 0));
    const { model } = await fitGbdt({ train: { X, nFeatures: 1, y }, options: { nRounds: 1, maxDepth: 1 } });
    const tree = model.trees[0]!;
    expect(tree.cover[tree.left[0]!]!).toBeGreaterThan(tree.cover[tree.right[0]!]!);
    expect(tree.defaultLeft[0]).toBe(1);
    expect(model.predictRaw(Float32Array.from([NaN]))[0]).toBe(model.predictRaw(Float32Array.from([0.2]))[0]);
  });
});
