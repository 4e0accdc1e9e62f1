import { ValidationError } from '../../core/errors';
import { allocateBinStorage, finishBinning, type BinnedMatrix } from './binning';
import { assertGbdtDataset, type GbdtDataset } from './dataset';
import { MAX_TASKS, SPLIT_FIELDS, TASK_FIELDS, histogramUnits } from './histogram';
import { ROW_CHUNK, type ThreadContext } from './thread-context';
import { TrainingThreads } from './training-threads';
import { logLoss, rocAuc } from './metrics';
import { GbdtModel } from './model';
import { resolveGbdtOptions, type GbdtOptions } from './options';
import { MAX_PARTITIONS, PARTITION_FIELDS, PARTITION_UNIT_FIELDS, maxPartitionUnits } from './partition';
import { createRandom } from './random';
import { allocateSparseColumns } from './sparse-columns';
import { addTreePredictions, type Tree } from './tree';
import { TreeGrower } from './tree-grower';

/** What {@link fitGbdt} trains on. */
export interface FitGbdtInput {
  train: GbdtDataset;
  /** Held-out rows scored after every round: the metric history and early stopping. */
  validation?: GbdtDataset;
  options?: Partial<GbdtOptions>;
  /** Names of the features in column order, kept in the model. */
  featureNames?: string[];
  /** Called after every round, e.g. to log progress. */
  onRound?: (progress: RoundProgress) => void;
}

export interface RoundProgress {
  /** 0-based round. */
  round: number;
  /** Validation metric after this round, when there is a validation set. */
  validation?: number;
}

export interface GbdtFitResult {
  model: GbdtModel;
  /** Rounds trained, including those after the best one when early stopping ended training. */
  rounds: number;
  /** 0-based round the model ends with: the best validation round under early stopping, else the last round. */
  bestIteration: number;
  /** Validation metric after each round (empty without a validation set). */
  history: number[];
  /** Threads training ran on (1 for small data sets, see {@link MIN_CELLS_FOR_THREADS}). */
  threads: number;
  /** Rounds whose work was shared with worker threads (fewer than `rounds` when sharing did not pay off). */
  sharedRounds: number;
}

/**
 * Below this many cells (rows × features) training stays on one thread: a worker takes ~30 ms to start from
 * compiled code (~0.2 s through tsx), and the jobs of small tables are too short to share well. The withdrawal
 * table of `bench/train.ts` (12k rows × 66 features) fits in 0.33 s on 2 threads against 0.40 s on 1; a random
 * 10k × 20 table loses on 2.
 */
export const MIN_CELLS_FOR_THREADS = 1 << 19;

/**
 * Largest training matrix copied into shared memory so that worker threads can help bin it; above, the main thread
 * bins alone (pass `X` on a SharedArrayBuffer to have workers help without a copy).
 */
const MAX_SHARED_COPY_BYTES = 256 * 2 ** 20;

/** Features that can split at all: at least two bins of present values, or one bin and missing values. */
function splittableFeatures(binned: BinnedMatrix): Int32Array {
  const out: number[] = [];
  for (let f = 0; f < binned.nFeatures; f++) {
    if (binned.nBins[f]! >= 2 || (binned.nBins[f]! >= 1 && binned.hasMissing[f])) out.push(f);
  }
  return Int32Array.from(out);
}

function checkInput(input: FitGbdtInput, options: GbdtOptions): void {
  const { train, validation, featureNames } = input;
  if (validation) {
    assertGbdtDataset(validation, 'validation');
    if (validation.nFeatures !== train.nFeatures) {
      const message = `expected ${train.nFeatures} features like train, got ${validation.nFeatures}`;
      throw new ValidationError(`validation.nFeatures: ${message}`, [{ path: ['validation', 'nFeatures'], message }]);
    }
  }
  if (options.earlyStoppingRounds > 0 && !validation) {
    const message = 'early stopping needs a validation set';
    throw new ValidationError(`options.earlyStoppingRounds: ${message}`, [{ path: ['options', 'earlyStoppingRounds'], message }]);
  }
  if (featureNames && featureNames.length !== train.nFeatures) {
    const message = `expected ${train.nFeatures} names, got ${featureNames.length}`;
    throw new ValidationError(`featureNames: ${message}`, [{ path: ['featureNames'], message }]);
  }
}

/**
 * Writes row weights (sample weight × `scalePosWeight` for positives) to `weight` and returns the base score: the
 * log-odds of the weighted share of positives, so the first tree starts from the prior rather than from 0.5.
 */
function weightsAndBaseScore(train: GbdtDataset, scalePosWeight: number, weight: Float64Array): number {
  let positive = 0;
  let negative = 0;
  for (let i = 0; i < weight.length; i++) {
    const w = (train.weight ? train.weight[i]! : 1) * (train.y[i] === 1 ? scalePosWeight : 1);
    weight[i] = w;
    if (train.y[i] === 1) positive += w;
    else negative += w;
  }
  if (!(positive > 0 && negative > 0)) {
    const message = `both classes need a positive total weight (positives ${positive}, negatives ${negative})`;
    throw new ValidationError(`train.y: ${message}`, [{ path: ['train', 'y'], message }]);
  }
  return Math.log(positive / negative);
}

/** Draws the rows of a tree into `rows[0 .. m)` (ascending) and returns `m`; all rows when `subsample` is 1. */
function sampleRows(rows: Uint32Array, subsample: number, random: () => number): number {
  let m = 0;
  if (subsample >= 1) {
    for (; m < rows.length; m++) rows[m] = m;
    return m;
  }
  for (let i = 0; i < rows.length; i++) if (random() < subsample) rows[m++] = i;
  return m;
}

/**
 * Draws the features of a tree (partial Fisher–Yates over all features, as XGBoost draws over all columns) and
 * writes the splittable ones, ascending, to `out`; returns how many.
 */
function sampleFeatures(out: Int32Array, splittable: Int32Array, nFeatures: number, colsample: number, random: () => number): number {
  if (colsample >= 1) {
    out.set(splittable);
    return splittable.length;
  }
  const take = Math.max(1, Math.round(colsample * nFeatures));
  const order = new Int32Array(nFeatures);
  for (let f = 0; f < nFeatures; f++) order[f] = f;
  for (let i = 0; i < take; i++) {
    const j = i + Math.floor(random() * (nFeatures - i));
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  const chosen = order.subarray(0, take).sort();
  let n = 0;
  for (const f of chosen) if (splittable.includes(f)) out[n++] = f;
  return n;
}

/**
 * Trains a gradient-boosted tree binary classifier with logistic loss. Options are validated first
 * (`ValidationError`), then the data. Deterministic: the same data, options and seed give the same model, whatever
 * the number of threads.
 */
export async function fitGbdt(input: FitGbdtInput): Promise<GbdtFitResult> {
  const options = resolveGbdtOptions(input.options);
  const { train } = input;
  const nRows = assertGbdtDataset(train, 'train');
  checkInput(input, options);
  const nFeatures = train.nFeatures;
  const nThreads = nRows * nFeatures >= MIN_CELLS_FOR_THREADS ? options.nThreads : 1;
  const shared = <T>(Type: { new (buffer: SharedArrayBuffer): T; BYTES_PER_ELEMENT: number }, length: number): T =>
    new Type(new SharedArrayBuffer(Type.BYTES_PER_ELEMENT * length));
  // Workers bin features too when the matrix is in shared memory; a copy is made when that is cheap.
  const copyX = nThreads > 1 && !(train.X.buffer instanceof SharedArrayBuffer) && train.X.byteLength <= MAX_SHARED_COPY_BYTES;
  const X = copyX ? shared(Float32Array, train.X.length) : train.X;
  if (copyX) X.set(train.X);
  const context: ThreadContext = {
    nRows,
    nFeatures,
    X,
    maxBins: options.maxBins,
    ...allocateBinStorage(nRows, nFeatures),
    rows: shared(Uint32Array, nRows),
    gh: shared(Float64Array, 2 * nRows),
    margin: shared(Float64Array, nRows),
    expNegMargin: shared(Float64Array, nRows),
    labels: shared(Uint8Array, nRows),
    weight: shared(Float64Array, nRows),
    features: shared(Int32Array, nFeatures),
    tasks: shared(Int32Array, TASK_FIELDS * MAX_TASKS),
    taskValues: shared(Float64Array, 2 * MAX_TASKS),
    splits: shared(Float64Array, SPLIT_FIELDS * MAX_TASKS * histogramUnits(nFeatures)),
    partitions: shared(Int32Array, PARTITION_FIELDS * MAX_PARTITIONS),
    partitionUnits: shared(Int32Array, PARTITION_UNIT_FIELDS * maxPartitionUnits(nRows, ROW_CHUNK)),
    partitionLeft: shared(Uint32Array, nRows),
    partitionRight: shared(Uint32Array, nRows),
    params: { lambda: options.lambda, minChildWeight: options.minChildWeight, gamma: options.gamma },
    slots: [],
    sparse: null,
    ordered: new Float64Array(2 * nRows),
    gatheredIn: new Int32Array(MAX_TASKS),
  };
  const baseScore = weightsAndBaseScore(train, options.scalePosWeight, context.weight);
  context.margin.fill(baseScore);
  context.expNegMargin.fill(Math.exp(-baseScore));
  context.labels.set(train.y);
  const threads = TrainingThreads.create(context, nThreads);
  try {
    threads.bin();
    const binned = finishBinning(nRows, nFeatures, context);
    threads.fillSparse(allocateSparseColumns(binned));
    const result = boost(input, options, binned, context, threads, baseScore);
    // A worker that failed to load left its units to this thread; its error still fails the fit.
    await threads.ready;
    return result;
  } finally {
    await threads.close();
  }
}

/** The boosting rounds, on binned data with the threads running. */
function boost(input: FitGbdtInput, options: GbdtOptions, binned: BinnedMatrix, context: ThreadContext, threads: TrainingThreads, baseScore: number): GbdtFitResult {
  const { validation } = input;
  const { nRows, nFeatures } = binned;
  const grower = new TreeGrower(binned, context, threads, options);
  const splittable = splittableFeatures(binned);
  const random = createRandom(options.seed);
  const validMargin = validation ? new Float64Array(validation.y.length).fill(baseScore) : undefined;
  const higherIsBetter = options.evalMetric === 'auc';
  const trees: Tree[] = [];
  const history: number[] = [];
  let bestIteration = -1;
  let bestScore = NaN;

  for (let round = 0; round < options.nRounds; round++) {
    threads.runGradients();
    const nSampled = sampleRows(context.rows, options.subsample, random);
    const nActive = sampleFeatures(context.features, splittable, nFeatures, options.colsampleByTree, random);
    const tree = grower.grow(nSampled, nActive);
    trees.push(tree);
    if (nSampled === nRows) grower.addLeafValues();
    else grower.addBinnedPredictions();
    threads.endRound();

    if (!validation || !validMargin) {
      input.onRound?.({ round });
      continue;
    }
    addTreePredictions(tree, validation.X, nFeatures, validMargin);
    const score = higherIsBetter ? rocAuc(validMargin, validation.y, validation.weight) : logLoss(validMargin, validation.y, validation.weight);
    history.push(score);
    input.onRound?.({ round, validation: score });
    if (bestIteration < 0 || (higherIsBetter ? score > bestScore : score < bestScore)) {
      bestIteration = round;
      bestScore = score;
    } else if (options.earlyStoppingRounds > 0 && round - bestIteration >= options.earlyStoppingRounds) {
      break;
    }
  }

  const rounds = trees.length;
  const kept = options.earlyStoppingRounds > 0 ? bestIteration + 1 : rounds;
  const model = new GbdtModel({ nFeatures, baseScore, trees: trees.slice(0, kept), ...(input.featureNames ? { featureNames: [...input.featureNames] } : {}) });
  return { model, rounds, bestIteration: kept - 1, history, threads: threads.nThreads, sharedRounds: threads.sharedRounds };
}
