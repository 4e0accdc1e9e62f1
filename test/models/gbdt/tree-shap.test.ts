import { fitGbdt } from '../../../models/gbdt/train';
import type { GbdtModel } from '../../../models/gbdt/model';
import type { Tree } from '../../../models/gbdt/tree';
import { logisticData } from './synthetic';

/**
 * E[tree(x) | features in `known` fixed to the row's values], features outside `known` averaged out by cover:
 * Algorithm 1 (EXPVALUE) of Lundberg et al. 2018, the definition TreeSHAP computes Shapley values of.
 */
function conditionalExpectation(tree: Tree, row: Float32Array, known: Set<number>, node = 0): number {
  const f = tree.feature[node]!;
  if (f < 0) return tree.value[node]!;
  const l = tree.left[node]!;
  const r = tree.right[node]!;
  if (known.has(f)) {
    const x = row[f]!;
    const goLeft = Number.isNaN(x) ? tree.defaultLeft[node] === 1 : x < tree.threshold[node]!;
    return conditionalExpectation(tree, row, known, goLeft ? l : r);
  }
  const cl = tree.cover[l]!;
  const cr = tree.cover[r]!;
  return (cl * conditionalExpectation(tree, row, known, l) + cr * conditionalExpectation(tree, row, known, r)) / (cl + cr);
}

/** Shapley values by the definition: weighted marginal contributions over every subset of the other features. */
function bruteForceShapley(model: GbdtModel, row: Float32Array): number[] {
  const M = model.nFeatures;
  const value = (known: Set<number>) => model.trees.reduce((sum, tree) => sum + conditionalExpectation(tree, row, known), 0);
  const factorial = (n: number): number => (n <= 1 ? 1 : n * factorial(n - 1));
  const phi = new Array<number>(M).fill(0);
  for (let i = 0; i < M; i++) {
    for (let mask = 0; mask < 1 << M; mask++) {
      if (mask & (1 << i)) continue;
      const known = new Set<number>();
      for (let f = 0; f < M; f++) if (mask & (1 << f)) known.add(f);
      const weight = (factorial(known.size) * factorial(M - known.size - 1)) / factorial(M);
      const without = value(known);
      known.add(i);
      phi[i]! += weight * (value(known) - without);
    }
  }
  return phi;
}

describe('TreeSHAP contributions', () => {
  it('add up with the expected value to the margin of every row', async () => {
    const train = logisticData(4000, 61, 6);
    for (let i = 0; i < train.X.length; i += 5) train.X[i] = NaN;
    const { model } = await fitGbdt({ train, options: { nRounds: 40, maxDepth: 5 } });
    const test = logisticData(300, 62, 6);
    for (let i = 0; i < test.X.length; i += 4) test.X[i] = NaN;
    const margin = model.predictRaw(test.X);
    const out = new Float64Array(7);
    for (let r = 0; r < 300; r++) {
      const phi = model.contributions(test.X.subarray(r * 6, r * 6 + 6), out);
      expect(phi).toBe(out);
      expect(phi[6]).toBe(model.expectedValue);
      expect(Math.abs(phi.reduce((a, b) => a + b, 0) - margin[r]!)).toBeLessThan(1e-6);
    }
  });

  it('gives a stump\'s split feature the leaf value minus the expected value, and 0 to the others', async () => {
    const train = logisticData(2000, 63, 3);
    const { model } = await fitGbdt({ train, options: { nRounds: 1, maxDepth: 1 } });
    const tree = model.trees[0]!;
    const f = tree.feature[0]!;
    const [l, r] = [tree.left[0]!, tree.right[0]!];
    const [cl, cr] = [tree.cover[l]!, tree.cover[r]!];
    const expected = (cl * tree.value[l]! + cr * tree.value[r]!) / (cl + cr);
    expect(model.expectedValue).toBeCloseTo(model.baseScore + expected, 12);

    const row = Float32Array.from([0.5, 0.5, 0.5]);
    row[f] = tree.threshold[0]! - 0.25; // goes left
    const phi = model.contributions(row);
    expect(phi[f]).toBeCloseTo(tree.value[l]! - expected, 12);
    for (let g = 0; g < 3; g++) if (g !== f) expect(phi[g]).toBe(0);
  });

  it('equals Shapley values computed by brute force over all feature subsets', async () => {
    const train = logisticData(3000, 64, 4);
    for (let i = 3; i < train.X.length; i += 9) train.X[i] = NaN;
    const { model } = await fitGbdt({ train, options: { nRounds: 8, maxDepth: 4 } });
    const test = logisticData(20, 65, 4);
    test.X[3] = NaN;
    for (let r = 0; r < 20; r++) {
      const row = test.X.subarray(r * 4, r * 4 + 4);
      const phi = model.contributions(row);
      const exact = bruteForceShapley(model, row);
      for (let f = 0; f < 4; f++) expect(phi[f]).toBeCloseTo(exact[f]!, 9);
    }
  });
});
