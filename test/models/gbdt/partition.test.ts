import { binMatrix } from '../../../models/gbdt/binning';
import type { PartitionContext } from '../../../models/gbdt/partition';
import { createRandom } from '../../../models/gbdt/random';
import { partitionSegment } from './partition-helper';

describe('partitioning node rows', () => {
  const nRows = 1000;
  const random = createRandom(5);
  const X = Float32Array.from({ length: nRows }, () => (random() < 0.15 ? NaN : Math.floor(random() * 20)));
  const binned = binMatrix(X, nRows, 1, 255);
  const missing = binned.nBins[0]!;
  const context = (): PartitionContext => ({
    bins: binned.bins,
    rows: Uint32Array.from({ length: nRows }, (_, i) => i),
    partitions: new Int32Array(6),
    partitionUnits: new Int32Array(6 * 20),
    partitionLeft: new Uint32Array(nRows),
    partitionRight: new Uint32Array(nRows),
  });

  it.each([
    [800, true],
    [300, true],
    [64, false],
  ])('splits a segment stably in units of %d rows, missing left: %s', (rowChunk, defaultLeft) => {
    const ctx = context();
    // Partition the middle segment [100, 900) only; rows outside it must stay put.
    const mid = partitionSegment(ctx, [100, 900, 0, 7, missing, defaultLeft ? 1 : 0], rowChunk);
    const goesLeft = (r: number) => (binned.bins[r] === missing ? defaultLeft : binned.bins[r]! <= 7);
    const segment = Array.from({ length: 800 }, (_, i) => 100 + i);
    expect(Array.from(ctx.rows.subarray(100, mid))).toEqual(segment.filter(goesLeft));
    expect(Array.from(ctx.rows.subarray(mid, 900))).toEqual(segment.filter((r) => !goesLeft(r)));
    expect(Array.from(ctx.rows.subarray(0, 100))).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(Array.from(ctx.rows.subarray(900))).toEqual(Array.from({ length: 100 }, (_, i) => 900 + i));
  });

  it('sends every present value right for a "missing vs present" split (last left bin -1)', () => {
    const ctx = context();
    const mid = partitionSegment(ctx, [0, nRows, 0, -1, missing, 1], 128);
    const missingRows = Array.from({ length: nRows }, (_, i) => i).filter((r) => Number.isNaN(X[r]!));
    expect(Array.from(ctx.rows.subarray(0, mid))).toEqual(missingRows);
  });
});
