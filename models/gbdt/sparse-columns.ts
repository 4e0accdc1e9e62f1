import type { BinnedMatrix } from './binning';

/**
 * The root histogram, built from every row each round, is most of the histogram work. In fraud tables most features
 * hold one bin for most rows (a flag that is 0, a count that is 0, a value that is missing): for such a feature only
 * the rows outside that "most frequent bin" are listed, and the root histogram adds just those; the skipped bin's
 * sums are the node's totals minus every other bin's (LightGBM's `most_freq_bin`, Ke et al. 2017).
 */
export interface SparseColumns {
  /** Per feature, the bin left out of its list (its most frequent), or -1 for a feature built densely. */
  skippedBin: Int32Array;
  /** Entries of feature `f` are `rows` / `bins` at `from[f] .. from[f + 1]` (empty for dense features). */
  from: Int32Array;
  /** Rows outside the skipped bin, ascending per feature. */
  rows: Uint32Array;
  /** The bin of each listed row. */
  bins: Uint8Array;
}

/**
 * A feature is listed when at most this share of its rows lies outside its most frequent bin. A listed cell costs
 * about 1.6 dense cells (its row index and gradient pair are loaded per cell rather than once per row); half keeps a
 * margin over that break-even.
 */
export const MAX_LISTED_SHARE = 0.5;

/** Which features are listed and where, from the bin counts that binning recorded; the lists are left to fill. */
export function allocateSparseColumns(binned: BinnedMatrix): SparseColumns {
  const { nRows, nFeatures, mostFrequentBin, mostFrequentCount } = binned;
  const skippedBin = new Int32Array(new SharedArrayBuffer(4 * nFeatures)).fill(-1);
  const from = new Int32Array(new SharedArrayBuffer(4 * (nFeatures + 1)));
  let total = 0;
  for (let f = 0; f < nFeatures; f++) {
    from[f] = total;
    const listed = nRows - mostFrequentCount[f]!;
    if (listed > MAX_LISTED_SHARE * nRows) continue;
    skippedBin[f] = mostFrequentBin[f]!;
    total += listed;
  }
  from[nFeatures] = total;
  return { skippedBin, from, rows: new Uint32Array(new SharedArrayBuffer(4 * total)), bins: new Uint8Array(new SharedArrayBuffer(total)) };
}

/** Fills the lists of features `first .. first + count - 1` (a unit of a parallel job) from the column-major bins. */
export function fillSparseColumns(sparse: SparseColumns, bins: Uint8Array, nRows: number, first: number, count: number): void {
  for (let f = first; f < first + count; f++) {
    const skip = sparse.skippedBin[f]!;
    if (skip < 0) continue;
    const column = f * nRows;
    let at = sparse.from[f]!;
    for (let r = 0; r < nRows; r++) {
      const b = bins[column + r]!;
      if (b === skip) continue;
      sparse.rows[at] = r;
      sparse.bins[at++] = b;
    }
  }
}

/** Lists the rows outside the most frequent bin of every feature where that pays, on the calling thread. */
export function buildSparseColumns(binned: BinnedMatrix): SparseColumns {
  const sparse = allocateSparseColumns(binned);
  fillSparseColumns(sparse, binned.bins, binned.nRows, 0, binned.nFeatures);
  return sparse;
}
