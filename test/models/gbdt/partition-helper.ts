import { cutPartitionUnits, placePartitionUnits, scanPartitionUnit, writePartitionUnit, type PartitionContext } from '../../../models/gbdt/partition';

/**
 * Partitions one segment in units of `rowChunk` rows, scanning and writing the units in reverse order (as threads
 * may take them in any order), and returns where the right side starts. `record` is [start, end, column offset,
 * last left bin, missing bin, default left].
 */
export function partitionSegment(context: PartitionContext, record: number[], rowChunk: number): number {
  context.partitions.set(record, 0);
  const nUnits = cutPartitionUnits(context, 1, rowChunk);
  for (let u = nUnits - 1; u >= 0; u--) scanPartitionUnit(context, u);
  const mids = placePartitionUnits(context, 1, nUnits);
  for (let u = nUnits - 1; u >= 0; u--) writePartitionUnit(context, u);
  return mids[0]!;
}
