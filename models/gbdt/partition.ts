import type { ThreadContext } from './thread-context';

/**
 * Parallel, stable partition of node row segments: the rows of each split node move in place to the left child's
 * part (first) or the right child's, each side keeping its order (rows stay ascending, so later passes read the bin
 * columns front to back, and the row order, hence every floating-point sum, is the same for any thread count).
 *
 * Each segment is cut into units of at most `ROW_CHUNK` rows. The scan sorts each unit's rows into a left and a right
 * list (stored at the unit's own positions of two shared arrays) and counts the left ones; the caller then computes
 * where each unit's lists go (see {@link placePartitionUnits}) and the write copies them there.
 */

/** Ints per partition record: segment start, segment end, bin column offset, last left bin, missing bin, default left (0/1). */
export const PARTITION_FIELDS = 6;

/** Ints per partition unit: record, first row position, end position, left count (scan), left destination, right destination. */
export const PARTITION_UNIT_FIELDS = 6;

/** Nodes per partition job; a larger batch runs as several jobs. */
export const MAX_PARTITIONS = 1024;

/** What partitioning reads and writes. */
export type PartitionContext = Pick<ThreadContext, 'rows' | 'bins' | 'partitions' | 'partitionUnits' | 'partitionLeft' | 'partitionRight'>;

/** Most units of a partition job over `nRows` rows: a unit per record plus one per chunk boundary. */
export function maxPartitionUnits(nRows: number, rowChunk: number): number {
  return MAX_PARTITIONS + Math.ceil(nRows / rowChunk);
}

/** Cuts records `0 .. nParts - 1` into units of at most `rowChunk` rows; returns the number of units. */
export function cutPartitionUnits(ctx: PartitionContext, nParts: number, rowChunk: number): number {
  const { partitions, partitionUnits } = ctx;
  let n = 0;
  for (let k = 0; k < nParts; k++) {
    const start = partitions[k * PARTITION_FIELDS]!;
    const end = partitions[k * PARTITION_FIELDS + 1]!;
    for (let from = start; from < end; from += rowChunk) {
      partitionUnits.set([k, from, Math.min(end, from + rowChunk), 0, 0, 0], n++ * PARTITION_UNIT_FIELDS);
    }
  }
  return n;
}

/**
 * Scan of unit `u`: sorts its rows into the left and right lists and records the left count. A row goes left when
 * its bin is `<= lastLeftBin`, or when it is missing (the missing bin is above every present bin) and missing values
 * go left.
 *
 * The loop is branch-free (every row is written to both lists, and only the one it belongs to advances): a row's
 * direction is as unpredictable as the data, and mispredicted branches made partitioning 4× slower.
 */
export function scanPartitionUnit(ctx: PartitionContext, u: number): void {
  const { rows, bins, partitions, partitionUnits, partitionLeft: left, partitionRight: right } = ctx;
  const at = u * PARTITION_UNIT_FIELDS;
  const record = partitionUnits[at]! * PARTITION_FIELDS;
  const from = partitionUnits[at + 1]!;
  const to = partitionUnits[at + 2]!;
  const column = partitions[record + 2]!;
  const lastLeftBin = partitions[record + 3]!;
  const missingBin = partitions[record + 4]!;
  const missingLeft = partitions[record + 5]!;
  let l = from;
  let r = from;
  for (let i = from; i < to; i++) {
    const row = rows[i]!;
    const b = bins[column + row]!;
    // 1 when b <= lastLeftBin (the sign bit of lastLeftBin - b is clear), or when b is the missing bin going left.
    const goLeft = (((lastLeftBin - b) >>> 31) ^ 1) | ((((b ^ missingBin) - 1) >>> 31) & missingLeft);
    // The write that does not advance stays inside this unit's positions and is overwritten or ignored.
    left[l] = row;
    right[r] = row;
    l += goLeft;
    r += 1 - goLeft;
  }
  partitionUnits[at + 3] = l - from;
}

/**
 * After the scan: gives every unit the positions its lists go to (a record's left rows first, unit by unit, then its
 * right rows) and returns, per record, where the right side starts.
 */
export function placePartitionUnits(ctx: PartitionContext, nParts: number, nUnits: number): Int32Array {
  const { partitions, partitionUnits } = ctx;
  const mids = new Int32Array(nParts);
  for (let k = 0; k < nParts; k++) mids[k] = partitions[k * PARTITION_FIELDS]!;
  for (let u = 0; u < nUnits; u++) {
    const at = u * PARTITION_UNIT_FIELDS;
    const k = partitionUnits[at]!;
    partitionUnits[at + 4] = mids[k]!;
    mids[k]! += partitionUnits[at + 3]!;
  }
  const rightAt = Int32Array.from(mids);
  for (let u = 0; u < nUnits; u++) {
    const at = u * PARTITION_UNIT_FIELDS;
    const k = partitionUnits[at]!;
    partitionUnits[at + 5] = rightAt[k]!;
    rightAt[k]! += partitionUnits[at + 2]! - partitionUnits[at + 1]! - partitionUnits[at + 3]!;
  }
  return mids;
}

/** Write of unit `u`: copies its lists to their places in `rows` (after every unit's scan and the placing). */
export function writePartitionUnit(ctx: PartitionContext, u: number): void {
  const { rows, partitionUnits, partitionLeft, partitionRight } = ctx;
  const at = u * PARTITION_UNIT_FIELDS;
  const from = partitionUnits[at + 1]!;
  const to = partitionUnits[at + 2]!;
  const lefts = partitionUnits[at + 3]!;
  rows.set(partitionLeft.subarray(from, from + lefts), partitionUnits[at + 4]!);
  rows.set(partitionRight.subarray(from, to - lefts), partitionUnits[at + 5]!);
}
