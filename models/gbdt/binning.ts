import { NAN_KEY, floatKeysOfColumns, keysToFloats, radixSortKeys } from './float-keys';

/**
 * Training data reduced to small integer bins per feature, as histogram-based boosting (LightGBM, XGBoost `hist`)
 * needs: each split is searched over at most 255 bin boundaries instead of every distinct value.
 */
export interface BinnedMatrix {
  nRows: number;
  nFeatures: number;
  /**
   * Bin of every cell, column-major: feature `f` is `bins[f * nRows .. (f + 1) * nRows)`. Present values have bins
   * `0 .. nBins[f] - 1`, missing values the dedicated bin `nBins[f]`. Backed by a SharedArrayBuffer so that
   * histogram worker threads read it without a copy.
   */
  bins: Uint8Array;
  /**
   * Bin boundaries per feature (float32 values, ascending, `nBins[f] - 1` of them): a present value `x` is in bin
   * `b` exactly when `cuts[f][b - 1] <= x < cuts[f][b]`, so "bin <= b goes left" is the real split `x < cuts[f][b]`.
   */
  cuts: Float32Array[];
  /** Number of bins of present values per feature (0 when a feature is always missing). */
  nBins: Int32Array;
  /** 1 when the feature has missing values in the training data. */
  hasMissing: Uint8Array;
  /** Where each feature's bins start in a histogram; feature `f` takes `nBins[f] + 1` bins (the last is missing). */
  histOffset: Int32Array;
  /** Total bins of a histogram over all features. */
  histBins: number;
}

/**
 * Where to put the bin boundaries of one feature, given the counts of its distinct sorted values: returns the
 * ascending indices `r` of the values after which a boundary goes. With at most `maxBins` distinct values each gets
 * its own bin; otherwise bins are filled greedily to about equal counts (the running target is the rows left over
 * the bins left, so a value more frequent than the target gets a bin of its own).
 */
export function cutPositions(counts: Uint32Array, nDistinct: number, maxBins: number): Int32Array {
  if (nDistinct <= maxBins) return Int32Array.from({ length: Math.max(0, nDistinct - 1) }, (_, r) => r);
  const positions: number[] = [];
  let remaining = 0;
  for (let r = 0; r < nDistinct; r++) remaining += counts[r]!;
  let binsLeft = maxBins;
  let target = remaining / binsLeft;
  let filled = 0;
  for (let r = 0; r + 1 < nDistinct && binsLeft > 1; r++) {
    filled += counts[r]!;
    if (filled >= target) {
      positions.push(r);
      remaining -= filled;
      binsLeft--;
      filled = 0;
      target = remaining / binsLeft;
    }
  }
  return Int32Array.from(positions);
}

/**
 * The boundary between two neighbouring distinct values: their float32 midpoint, so unseen values between them
 * split evenly; when rounding makes it equal to the lower value, the upper value, keeping `lower < cut <= upper`.
 */
export function cutBetween(lower: number, upper: number): number {
  const mid = Math.fround((lower + upper) / 2);
  return mid > lower ? mid : upper;
}

/** The arrays of a {@link BinnedMatrix} that histogram threads share, allocated before binning fills them. */
export type BinStorage = Pick<BinnedMatrix, 'bins' | 'nBins' | 'histOffset'>;

/** Shared memory for the bins of an `nRows × nFeatures` matrix, so worker threads can start while binning runs. */
export function allocateBinStorage(nRows: number, nFeatures: number): BinStorage {
  return {
    bins: new Uint8Array(new SharedArrayBuffer(nRows * nFeatures)),
    nBins: new Int32Array(new SharedArrayBuffer(4 * nFeatures)),
    histOffset: new Int32Array(new SharedArrayBuffer(4 * nFeatures)),
  };
}

/** Columns converted to sort keys per pass: bounds the scratch memory to `8 × nRows` keys. */
const KEY_BLOCK = 8;

/**
 * Bins a row-major `nRows × nFeatures` matrix (NaN = missing, no infinities: see `assertGbdtDataset`). Each feature
 * is radix-sorted once with row indices carried along, so bins are assigned by walking the sorted runs, without a
 * search per cell.
 */
export function binMatrix(
  X: Float32Array,
  nRows: number,
  nFeatures: number,
  maxBins: number,
  storage: BinStorage = allocateBinStorage(nRows, nFeatures),
): BinnedMatrix {
  const { bins, nBins, histOffset } = storage;
  const bits = new Uint32Array(X.buffer, X.byteOffset, X.length);
  const blockKeys = new Uint32Array(KEY_BLOCK * nRows);
  const index = new Uint32Array(nRows);
  const tmpKeys = new Uint32Array(nRows);
  const tmpIndex = new Uint32Array(nRows);
  const counts = new Uint32Array(2048);
  const distinctKeys = new Uint32Array(nRows);
  const distinctCounts = new Uint32Array(nRows);
  const cuts: Float32Array[] = [];
  const hasMissing = new Uint8Array(nFeatures);
  let histBins = 0;

  for (let first = 0; first < nFeatures; first += KEY_BLOCK) {
    const width = Math.min(KEY_BLOCK, nFeatures - first);
    floatKeysOfColumns(bits, nRows, nFeatures, first, width, blockKeys);
    for (let k = 0; k < width; k++) {
      const f = first + k;
      for (let i = 0; i < nRows; i++) index[i] = i;
      const sorted = radixSortKeys(blockKeys.subarray(k * nRows, (k + 1) * nRows), index, tmpKeys, tmpIndex, nRows, counts);
      const sk = sorted.keys;
      const si = sorted.index;

      let present = nRows;
      while (present > 0 && sk[present - 1] === NAN_KEY) present--;
      let nDistinct = 0;
      for (let i = 0; i < present; i++) {
        if (i === 0 || sk[i] !== sk[i - 1]) {
          distinctKeys[nDistinct] = sk[i]!;
          distinctCounts[nDistinct++] = 0;
        }
        distinctCounts[nDistinct - 1]!++;
      }
      const positions = cutPositions(distinctCounts, nDistinct, maxBins);
      const values = new Float32Array(nDistinct);
      keysToFloats(distinctKeys.subarray(0, nDistinct), values);
      const featureCuts = new Float32Array(positions.length);
      for (let c = 0; c < positions.length; c++) featureCuts[c] = cutBetween(values[positions[c]!]!, values[positions[c]! + 1]!);

      const column = bins.subarray(f * nRows, (f + 1) * nRows);
      let bin = 0;
      let run = 0;
      for (let i = 0; i < present; i++) {
        if (i > 0 && sk[i] !== sk[i - 1]) {
          // The previous run ended; a boundary after it starts the next bin.
          if (bin < positions.length && positions[bin] === run) bin++;
          run++;
        }
        column[si[i]!] = bin;
      }
      const missingBin = nDistinct === 0 ? 0 : positions.length + 1;
      for (let i = present; i < nRows; i++) column[si[i]!] = missingBin;

      cuts.push(featureCuts);
      nBins[f] = missingBin;
      hasMissing[f] = present < nRows ? 1 : 0;
      histOffset[f] = histBins;
      histBins += missingBin + 1;
    }
  }
  return { nRows, nFeatures, bins, cuts, nBins, hasMissing, histOffset, histBins };
}
