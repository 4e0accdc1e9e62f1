/**
 * Splits the row segment `rows[start .. end)` in place into rows going left (first) and right, keeping each side in
 * its original order (rows stay ascending, so later passes read the bin columns front to back). Rows going right
 * wait in `scratch`. A row goes left when its bin is `<= lastLeftBin`, or when it is missing (`missingBin`) and
 * missing values go left. Returns the index where the right side starts.
 */
export function partitionRows(
  rows: Uint32Array,
  scratch: Uint32Array,
  start: number,
  end: number,
  bins: Uint8Array,
  column: number,
  lastLeftBin: number,
  missingBin: number,
  defaultLeft: boolean,
): number {
  let left = start;
  let right = 0;
  for (let i = start; i < end; i++) {
    const row = rows[i]!;
    const b = bins[column + row]!;
    if (b === missingBin ? defaultLeft : b <= lastLeftBin) rows[left++] = row;
    else scratch[right++] = row;
  }
  rows.set(scratch.subarray(0, right), left);
  return left;
}
