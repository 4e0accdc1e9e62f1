/**
 * Sorting float32 values by their bit patterns: an LSD radix sort on unsigned keys is several times faster than
 * `Float32Array.prototype.sort` and carries the row index along, which binning needs to write bins back.
 */

/** Key of NaN: larger than every number's key, so missing values sort last. */
export const NAN_KEY = 0xffffffff;

/**
 * Writes order-preserving unsigned keys of the float32 columns `first .. first + width - 1` of a row-major matrix
 * (given as its raw bits) to `out`, column after column (`out[k * nRows + i]` for column `first + k`, row `i`).
 * Negative values get all bits flipped, others the sign bit set; -0 gets the key of +0 (they compare equal, so they
 * must share a bin) and every NaN gets {@link NAN_KEY}. Reading a block of columns per pass keeps the pass over the
 * rows sequential.
 */
export function floatKeysOfColumns(bits: Uint32Array, nRows: number, nColumns: number, first: number, width: number, out: Uint32Array): void {
  for (let i = 0, at = first; i < nRows; i++, at += nColumns) {
    for (let k = 0; k < width; k++) {
      const b = bits[at + k]!;
      const magnitude = b & 0x7fffffff;
      out[k * nRows + i] = magnitude > 0x7f800000 ? NAN_KEY : magnitude === 0 ? 0x80000000 : b & 0x80000000 ? ~b : b | 0x80000000;
    }
  }
}

/** Writes the float32 values of sorted keys made by {@link floatKeysOfColumns} (not NaN) into `out`. */
export function keysToFloats(keys: Uint32Array, out: Float32Array): void {
  const bits = new Uint32Array(out.buffer, out.byteOffset, out.length);
  for (let i = 0; i < out.length; i++) {
    const key = keys[i]!;
    bits[i] = key & 0x80000000 ? key ^ 0x80000000 : ~key;
  }
}

const RADIX_BITS = 11;
const RADIX = 1 << RADIX_BITS;

/**
 * Sorts `keys[0..n)` ascending with `index[0..n)` moved alongside, using `tmpKeys`/`tmpIndex` (at least `n` long)
 * as scratch. Three 11-bit passes; a pass whose digit is the same for every key is skipped. Returns the arrays
 * that hold the result (either the inputs or the scratch ones).
 */
export function radixSortKeys(
  keys: Uint32Array,
  index: Uint32Array,
  tmpKeys: Uint32Array,
  tmpIndex: Uint32Array,
  n: number,
  counts: Uint32Array = new Uint32Array(RADIX),
): { keys: Uint32Array; index: Uint32Array } {
  let srcK = keys;
  let srcI = index;
  let dstK = tmpKeys;
  let dstI = tmpIndex;
  for (let shift = 0; shift < 32; shift += RADIX_BITS) {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[(srcK[i]! >>> shift) & (RADIX - 1)]!++;
    if (counts[(srcK[0]! >>> shift) & (RADIX - 1)] === n) continue;
    let sum = 0;
    for (let d = 0; d < RADIX; d++) {
      const c = counts[d]!;
      counts[d] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const k = srcK[i]!;
      const p = counts[(k >>> shift) & (RADIX - 1)]!++;
      dstK[p] = k;
      dstI[p] = srcI[i]!;
    }
    [srcK, dstK] = [dstK, srcK];
    [srcI, dstI] = [dstI, srcI];
  }
  return { keys: srcK, index: srcI };
}
