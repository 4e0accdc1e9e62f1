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
  /** Per feature, its most frequent bin (missing included; the lowest on ties) and how many rows it holds. */
  mostFrequentBin: Int32Array;
  mostFrequentCount: Int32Array;
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

/** Most bin boundaries of a feature (255 bins of present values). */
export const MAX_CUTS = 254;

/**
 * What binning writes, in shared memory so that threads can bin different features at once: the parts of a
 * {@link BinnedMatrix} plus every feature's cuts at `cutValues[f * MAX_CUTS ..]`.
 */
export type BinStorage = Pick<BinnedMatrix, 'bins' | 'nBins' | 'hasMissing' | 'histOffset' | 'mostFrequentBin' | 'mostFrequentCount'> & {
  cutValues: Float32Array;
};

/** Shared memory for binning an `nRows × nFeatures` matrix. */
export function allocateBinStorage(nRows: number, nFeatures: number): BinStorage {
  return {
    bins: new Uint8Array(new SharedArrayBuffer(nRows * nFeatures)),
    nBins: new Int32Array(new SharedArrayBuffer(4 * nFeatures)),
    hasMissing: new Uint8Array(new SharedArrayBuffer(nFeatures)),
    histOffset: new Int32Array(new SharedArrayBuffer(4 * nFeatures)),
    mostFrequentBin: new Int32Array(new SharedArrayBuffer(4 * nFeatures)),
    mostFrequentCount: new Int32Array(new SharedArrayBuffer(4 * nFeatures)),
    cutValues: new Float32Array(new SharedArrayBuffer(4 * MAX_CUTS * nFeatures)),
  };
}

/** Features binned together: their sort keys are extracted in one pass over the rows. */
export const BIN_BLOCK = 8;

/** Working memory of one thread's binning (about `14 × nRows` 32-bit words). */
export interface BinScratch {
  blockKeys: Uint32Array;
  index: Uint32Array;
  tmpKeys: Uint32Array;
  tmpIndex: Uint32Array;
  counts: Uint32Array;
  distinctKeys: Uint32Array;
  distinctCounts: Uint32Array;
}

export function createBinScratch(nRows: number): BinScratch {
  return {
    blockKeys: new Uint32Array(BIN_BLOCK * nRows),
    index: new Uint32Array(nRows),
    tmpKeys: new Uint32Array(nRows),
    tmpIndex: new Uint32Array(nRows),
    counts: new Uint32Array(2048),
    distinctKeys: new Uint32Array(nRows),
    distinctCounts: new Uint32Array(nRows),
  };
}

/**
 * Bins block `block` (features `block · BIN_BLOCK ..`) of a row-major `nRows × nFeatures` matrix (NaN = missing, no
 * infinities: see `assertGbdtDataset`) into `storage`. Each feature is radix-sorted once with row indices carried
 * along, so bins are assigned by walking the sorted runs, without a search per cell.
 */
export function binBlock(X: Float32Array, nRows: number, nFeatures: number, block: number, maxBins: number, storage: BinStorage, scratch: BinScratch): void {
  const { bins, nBins, hasMissing, cutValues } = storage;
  const { blockKeys, index, distinctKeys, distinctCounts } = scratch;
  const first = block * BIN_BLOCK;
  const width = Math.min(BIN_BLOCK, nFeatures - first);
  floatKeysOfColumns(new Uint32Array(X.buffer, X.byteOffset, X.length), nRows, nFeatures, first, width, blockKeys);
  for (let k = 0; k < width; k++) {
    const f = first + k;
    for (let i = 0; i < nRows; i++) index[i] = i;
    const sorted = radixSortKeys(blockKeys.subarray(k * nRows, (k + 1) * nRows), index, scratch.tmpKeys, scratch.tmpIndex, nRows, scratch.counts);
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
    for (let c = 0; c < positions.length; c++) cutValues[f * MAX_CUTS + c] = cutBetween(values[positions[c]!]!, values[positions[c]! + 1]!);

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
    nBins[f] = missingBin;
    hasMissing[f] = present < nRows ? 1 : 0;
    recordMostFrequentBin(storage, f, distinctCounts, nDistinct, positions, nRows - present);
  }
}

/** Finds a feature's most frequent bin from the counts of its distinct values and where its boundaries are. */
function recordMostFrequentBin(storage: BinStorage, f: number, distinctCounts: Uint32Array, nDistinct: number, positions: Int32Array, missing: number): void {
  let best = 0;
  let bestCount = -1;
  let bin = 0;
  let count = 0;
  for (let r = 0; r < nDistinct; r++) {
    count += distinctCounts[r]!;
    // The bin ends after value r when a boundary is there, or at the last value.
    if (r === nDistinct - 1 || (bin < positions.length && positions[bin] === r)) {
      if (count > bestCount) {
        best = bin;
        bestCount = count;
      }
      bin++;
      count = 0;
    }
  }
  if (missing > bestCount) {
    best = storage.nBins[f]!;
    bestCount = missing;
  }
  storage.mostFrequentBin[f] = best;
  storage.mostFrequentCount[f] = bestCount;
}

/** Completes binning once every block is done: histogram offsets and per-feature cut arrays. */
export function finishBinning(nRows: number, nFeatures: number, storage: BinStorage): BinnedMatrix {
  const { bins, nBins, hasMissing, histOffset, cutValues, mostFrequentBin, mostFrequentCount } = storage;
  const cuts: Float32Array[] = [];
  let histBins = 0;
  for (let f = 0; f < nFeatures; f++) {
    cuts.push(cutValues.slice(f * MAX_CUTS, f * MAX_CUTS + Math.max(0, nBins[f]! - 1)));
    histOffset[f] = histBins;
    histBins += nBins[f]! + 1;
  }
  return { nRows, nFeatures, bins, cuts, nBins, hasMissing, mostFrequentBin, mostFrequentCount, histOffset, histBins };
}

/** Bins a whole matrix on the calling thread (see {@link binBlock}). */
export function binMatrix(X: Float32Array, nRows: number, nFeatures: number, maxBins: number, storage = allocateBinStorage(nRows, nFeatures)): BinnedMatrix {
  const scratch = createBinScratch(nRows);
  for (let block = 0; block * BIN_BLOCK < nFeatures; block++) binBlock(X, nRows, nFeatures, block, maxBins, storage, scratch);
  return finishBinning(nRows, nFeatures, storage);
}
