import { binMatrix } from '../../../models/gbdt/binning';
import { MAX_LISTED_SHARE, buildSparseColumns } from '../../../models/gbdt/sparse-columns';

describe('sparse columns', () => {
  it('take the most frequent bin of each feature from binning, the lowest on ties, missing included', () => {
    // Feature 0: values 1, 1, 2, 2, 3 (bins 0 and 1 hold two rows each, bin 2 one); feature 1: mostly missing.
    const X = Float32Array.from([1, NaN, 1, 4, 2, NaN, 2, NaN, 3, NaN]);
    const binned = binMatrix(X, 5, 2, 255);
    expect(Array.from(binned.mostFrequentBin)).toEqual([0, 1]);
    expect(Array.from(binned.mostFrequentCount)).toEqual([2, 4]);
    // With fewer bins than values, a bin's count is the sum of its values' counts.
    const coarse = binMatrix(Float32Array.from([1, 2, 3, 3, 3, 4, 5, 6]), 8, 1, 3);
    const bins = Array.from(coarse.bins);
    const counts = bins.reduce((c, b) => ((c[b] = (c[b] ?? 0) + 1), c), [] as number[]);
    expect(coarse.mostFrequentCount[0]).toBe(Math.max(...counts.filter((c) => c !== undefined)));
    expect(counts[coarse.mostFrequentBin[0]!]).toBe(coarse.mostFrequentCount[0]);
  });

  it('list, per feature that pays, the rows outside its most frequent bin in order', () => {
    // Feature 0: mostly 5 (one row 1, one missing); feature 1: all distinct, kept dense; feature 2: mostly missing.
    const rows = 10;
    const X = new Float32Array(rows * 3);
    for (let i = 0; i < rows; i++) X.set([i === 3 ? 1 : i === 7 ? NaN : 5, i, i % 5 === 0 ? 2 : NaN], 3 * i);
    const binned = binMatrix(X, rows, 3, 255);
    const sparse = buildSparseColumns(binned);
    expect(MAX_LISTED_SHARE).toBeGreaterThanOrEqual(0.2);
    // Feature 0: bins 0 (value 1) and 1 (value 5), missing is bin 2; feature 2: bin 0 (value 2), missing bin 1.
    expect(Array.from(sparse.skippedBin)).toEqual([1, -1, 1]);
    expect(Array.from(sparse.from)).toEqual([0, 2, 2, 4]);
    expect(Array.from(sparse.rows)).toEqual([3, 7, 0, 5]);
    expect(Array.from(sparse.bins)).toEqual([0, 2, 0, 0]);
  });
});
