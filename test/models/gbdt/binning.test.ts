import { binMatrix, cutBetween, cutPositions } from '../../../models/gbdt/binning';
import { floatKeysOfColumns, keysToFloats, radixSortKeys } from '../../../models/gbdt/float-keys';
import { createRandom } from '../../../models/gbdt/random';

/** The bin a present value must get: the number of cuts `<= x`. */
function expectedBin(cuts: Float32Array, x: number): number {
  let bin = 0;
  while (bin < cuts.length && cuts[bin]! <= x) bin++;
  return bin;
}

describe('radixSortKeys', () => {
  it('sorts float32 values (negatives, zeros, NaN last) and carries the indices along', () => {
    const values = Float32Array.from([3.5, -1, 0, NaN, -0, 1e-30, -7.25, 2, NaN, -1e-30, 1e30]);
    const keys = new Uint32Array(values.length);
    floatKeysOfColumns(new Uint32Array(values.buffer), values.length, 1, 0, 1, keys);
    const index = Uint32Array.from(values.keys());
    const sorted = radixSortKeys(keys, index, new Uint32Array(values.length), new Uint32Array(values.length), values.length);
    const order = Array.from(sorted.index, (i) => values[i]! + 0); // + 0 turns -0 into 0 for toEqual
    expect(order.slice(0, 9)).toEqual([-7.25, -1, Math.fround(-1e-30), 0, 0, Math.fround(1e-30), 2, 3.5, Math.fround(1e30)]);
    expect(order.slice(9).every(Number.isNaN)).toBe(true);
    // -0 and +0 get the same key: they must fall into the same bin.
    expect(sorted.keys[3]).toBe(sorted.keys[4]);
    const back = new Float32Array(9);
    keysToFloats(sorted.keys.subarray(0, 9), back);
    expect(Array.from(back)).toEqual(order.slice(0, 9));
  });
});

describe('cutPositions and cutBetween', () => {
  it('gives every distinct value its own bin when there are few', () => {
    expect(Array.from(cutPositions(Uint32Array.from([5, 1, 9]), 3, 255))).toEqual([0, 1]);
  });

  it('fills bins to about equal counts, a frequent value getting a bin of its own', () => {
    // 8 values of 10 rows then one of 80: 4 bins → targets 160/4 = 40 rows, then (160-40)/3 ...
    const counts = Uint32Array.from([10, 10, 10, 10, 10, 10, 10, 10, 80]);
    expect(Array.from(cutPositions(counts, 9, 4))).toEqual([3, 7]);
  });

  it('places a cut strictly above the lower value and at most the upper one', () => {
    expect(cutBetween(1, 2)).toBe(1.5);
    const lower = Math.fround(1);
    const upper = Math.fround(1 + 2 ** -23); // adjacent float32 values: the midpoint rounds to one of them
    expect(cutBetween(lower, upper)).toBe(upper);
  });
});

describe('binMatrix', () => {
  it('bins a few distinct values one per bin, with a missing bin after them', () => {
    // Two features, row-major: f0 ∈ {1, 2, 3} with a NaN, f1 constant 7.
    const X = Float32Array.from([1, 7, 2, 7, NaN, 7, 3, 7, 2, 7]);
    const binned = binMatrix(X, 5, 2, 255);
    expect(Array.from(binned.cuts[0]!)).toEqual([1.5, 2.5]);
    expect(binned.nBins[0]).toBe(3);
    expect(Array.from(binned.bins.subarray(0, 5))).toEqual([0, 1, 3, 2, 1]);
    expect(binned.hasMissing[0]).toBe(1);
    expect(binned.nBins[1]).toBe(1);
    expect(binned.cuts[1]!.length).toBe(0);
    expect(binned.hasMissing[1]).toBe(0);
    expect(Array.from(binned.histOffset)).toEqual([0, 4]);
    expect(binned.histBins).toBe(4 + 2);
  });

  it('puts -0 and +0 into one bin', () => {
    const binned = binMatrix(Float32Array.from([-0, 0, 1, -1]), 4, 1, 255);
    expect(binned.bins[0]).toBe(binned.bins[1]);
    expect(binned.nBins[0]).toBe(3);
  });

  it('makes at most maxBins quantile bins whose boundaries agree with x < cut for every value', () => {
    const random = createRandom(7);
    const nRows = 20_000;
    const X = new Float32Array(nRows);
    for (let i = 0; i < nRows; i++) X[i] = random() < 0.1 ? NaN : Math.exp(4 * random()) - 20;
    const binned = binMatrix(X, nRows, 1, 32);
    const cuts = binned.cuts[0]!;
    expect(binned.nBins[0]).toBe(32);
    const perBin = new Array<number>(33).fill(0);
    const wrong: number[] = [];
    for (let i = 0; i < nRows; i++) {
      const bin = binned.bins[i]!;
      perBin[bin]!++;
      if (bin !== (Number.isNaN(X[i]!) ? 32 : expectedBin(cuts, X[i]!))) wrong.push(i);
    }
    expect(wrong).toEqual([]);
    const present = nRows - perBin[32]!;
    for (let b = 0; b < 32; b++) expect(Math.abs(perBin[b]! - present / 32)).toBeLessThan(present / 32 / 5);
  });

  it('gives a value held by half the rows a bin of its own', () => {
    const random = createRandom(3);
    const X = new Float32Array(10_000);
    for (let i = 0; i < X.length; i++) X[i] = i % 2 === 0 ? 0 : random();
    const binned = binMatrix(X, X.length, 1, 16);
    const zeroBin = binned.bins[0]!;
    const sharing = [];
    for (let i = 1; i < X.length; i += 2) if (binned.bins[i] === zeroBin) sharing.push(i);
    expect(sharing).toEqual([]);
  });
});
