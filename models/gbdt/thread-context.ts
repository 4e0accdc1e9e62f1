import type { BinStorage } from './binning';
import type { SparseColumns } from './sparse-columns';
import type { SplitParams } from './split';

/**
 * Everything the threads of one training run work on. Arrays are backed by SharedArrayBuffers, so the main thread and
 * the workers see the same memory without copies, except the thread-local ones ({@link ThreadLocalKeys}).
 *
 * Every job is cut into units (a block of features, a chunk of rows) that threads claim one at a time, and each unit
 * writes its own output: so a slow or descheduled thread only takes fewer units, and no result depends on which
 * thread computed it (a model trained on 2 threads is identical to one trained on 1).
 */
export interface ThreadContext extends BinStorage {
  nRows: number;
  nFeatures: number;
  /**
   * The training matrix (row-major), read while binning; `null` in workers when it is not in shared memory (they
   * leave binning to the main thread then).
   */
  X: Float32Array | null;
  maxBins: number;
  /** Row indices; every tree node owns a contiguous segment. */
  rows: Uint32Array;
  /** Gradient of row `r` at `2r`, hessian at `2r + 1`. */
  gh: Float64Array;
  /** Current margins of the training rows. */
  margin: Float64Array;
  /** `exp(-margin)` of each training row, kept in step with `margin` (see `addToMargin`). */
  expNegMargin: Float64Array;
  /** Labels (0/1) of the training rows. */
  labels: Uint8Array;
  /** Row weights (sample weight × class weight). */
  weight: Float64Array;

  /** Features drawn for the current tree, ascending. */
  features: Int32Array;
  /** Histogram task records of `TASK_FIELDS` ints each (see histogram.ts). */
  tasks: Int32Array;
  /** Gradient and hessian sums of the node of each split task (2 per task). */
  taskValues: Float64Array;
  /** Best split per (split task, block of features), `SPLIT_FIELDS` numbers each (see histogram.ts). */
  splits: Float64Array;
  /** Split regularisation. */
  params: SplitParams;

  /** Partition records of `PARTITION_FIELDS` ints each (see partition.ts). */
  partitions: Int32Array;
  /** Partition units of `PARTITION_UNIT_FIELDS` ints each: a chunk of one record's segment. */
  partitionUnits: Int32Array;
  /** Rows of each partition unit going left, in segment order, at the unit's own positions. */
  partitionLeft: Uint32Array;
  /** Rows of each partition unit going right, likewise. */
  partitionRight: Uint32Array;

  /** Thread-local reference to shared lists of the sparse features' rows, made after binning; `null` before. */
  sparse: SparseColumns | null;
  /** Thread-local: histogram buffers by slot id (each thread keeps its own list of the same shared buffers). */
  slots: Float64Array[];
  /** Thread-local: gradient pairs of the rows being built in node order (`rows[i]`'s at `2i`). */
  ordered: Float64Array;
  /** Thread-local: for each histogram task, the job in which this thread last gathered its rows into `ordered`. */
  gatheredIn: Int32Array;
}

/** The parts of a {@link ThreadContext} that each thread has for itself. */
export type ThreadLocalKeys = 'slots' | 'ordered' | 'gatheredIn' | 'sparse';

/**
 * Jobs: binning (a unit is a block of features), histogram tasks (a block of active features), gradients (a chunk of
 * rows) and the two steps of partitioning node segments (a chunk of one segment).
 */
export const JOB_BIN = 0;
export const JOB_HISTOGRAMS = 1;
export const JOB_GRADIENTS = 2;
export const JOB_PARTITION_SCAN = 3;
export const JOB_PARTITION_WRITE = 4;
/** Filling the sparse features' lists (a block of `BIN_BLOCK` features). */
export const JOB_SPARSE = 5;

/** Rows per unit of gradient and partition jobs: large enough that claiming costs nothing, small enough to balance. */
export const ROW_CHUNK = 16384;
