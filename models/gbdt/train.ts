import { ValidationError } from '../../core/errors';
import { allocateBinStorage, binMatrix, type BinnedMatrix } from './binning';
import { assertGbdtDataset, type GbdtDataset } from './dataset';
import { TASK_FIELDS, type HistogramContext } from './histogram';
import { HistogramThreads } from './histogram-threads';
import { logLoss, rocAuc } from './metrics';
import { GbdtModel } from './model';
import { resolveGbdtOptions, type GbdtOptions } from './options';
import { createRandom } from './random';
import { addTreePredictions, type Tree } from './tree';
import { MAX_TASKS, TreeGrower } from './tree-grower';

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
  /** Threads the histograms were built on. */
  threads: number;
}

/**
 * Below this many cells (rows × features) training stays on one thread: a worker takes ~0.2 s to start (it loads
 * TypeScript through tsx), more than it saves on small data.
 */
export const MIN_CELLS_FOR_THREADS = 1 << 20;

/** Smallest hessian of a row, as in XGBoost: keeps leaf weights finite when predictions saturate. */
const MIN_HESSIAN = 1e-16;

/**
 * Logistic-loss gradient and hessian of every row into `gh` (interleaved): `g = (p - y)·w`, `h = p(1 - p)·w`
 * with `p = sigmoid(margin)`.
 */
export function logisticGradients(margin: Float64Array, y: ArrayLike<number>, weight: Float64Array, gh: Float64Array): void {
  for (let i = 0; i < margin.length; i++) {
    // Inline logistic (a call into another module goes through an export getter in CommonJS output).
    const p = 1 / (1 + Math.exp(-margin[i]!));
    const w = weight[i]!;
    gh[2 * i] = (p - y[i]!) * w;
    gh[2 * i + 1] = Math.max(p * (1 - p), MIN_HESSIAN) * w;
  }
}

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
 * Row weights (sample weight × `scalePosWeight` for positives) and the base score: the log-odds of the weighted
 * share of positives, so the first tree starts from the prior rather than from 0.5.
 */
function weightsAndBaseScore(train: GbdtDataset, nRows: number, scalePosWeight: number): { weight: Float64Array; baseScore: number } {
  const weight = new Float64Array(nRows);
  let positive = 0;
  let negative = 0;
  for (let i = 0; i < nRows; i++) {
    const w = (train.weight ? train.weight[i]! : 1) * (train.y[i] === 1 ? scalePosWeight : 1);
    weight[i] = w;
    if (train.y[i] === 1) positive += w;
    else negative += w;
  }
  if (!(positive > 0 && negative > 0)) {
    const message = `both classes need a positive total weight (positives ${positive}, negatives ${negative})`;
    throw new ValidationError(`train.y: ${message}`, [{ path: ['train', 'y'], message }]);
  }
  return { weight, baseScore: Math.log(positive / negative) };
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
  const { train, validation } = input;
  const nRows = assertGbdtDataset(train, 'train');
  checkInput(input, options);
  const nFeatures = train.nFeatures;
  const { weight, baseScore } = weightsAndBaseScore(train, nRows, options.scalePosWeight);

  const nThreads = options.nThreads > 1 && nRows * nFeatures >= MIN_CELLS_FOR_THREADS ? Math.min(options.nThreads, nFeatures) : 1;
  const storage = allocateBinStorage(nRows, nFeatures);
  const context: HistogramContext = {
    nRows,
    bins: storage.bins,
    histOffset: storage.histOffset,
    nBins: storage.nBins,
    rows: new Uint32Array(new SharedArrayBuffer(4 * nRows)),
    ordered: new Float64Array(new SharedArrayBuffer(16 * nRows)),
    features: new Int32Array(new SharedArrayBuffer(4 * nFeatures)),
    tasks: new Int32Array(new SharedArrayBuffer(4 * TASK_FIELDS * MAX_TASKS)),
    slots: [],
  };
  // Workers load while the main thread bins the data.
  const starting = HistogramThreads.start(context, nThreads);
  let binned: BinnedMatrix;
  try {
    binned = binMatrix(train.X, nRows, nFeatures, options.maxBins, storage);
  } catch (err) {
    await starting.then((t) => t.close(), () => undefined);
    throw err;
  }
  const threads = await starting;
  try {
    return boost(input, options, binned, context, threads, weight, baseScore);
  } finally {
    await threads.close();
  }
}

/** The boosting rounds, on binned data with the threads running. */
function boost(
  input: FitGbdtInput,
  options: GbdtOptions,
  binned: BinnedMatrix,
  context: HistogramContext,
  threads: HistogramThreads,
  weight: Float64Array,
  baseScore: number,
): GbdtFitResult {
  const { train, validation } = input;
  const { nRows, nFeatures } = binned;
  const grower = new TreeGrower(binned, context, threads, options);
  const splittable = splittableFeatures(binned);
  const random = createRandom(options.seed);
  const margin = new Float64Array(nRows).fill(baseScore);
  const gh = new Float64Array(2 * nRows);
  const validMargin = validation ? new Float64Array(validation.y.length).fill(baseScore) : undefined;
  const higherIsBetter = options.evalMetric === 'auc';
  const trees: Tree[] = [];
  const history: number[] = [];
  let bestIteration = -1;
  let bestScore = NaN;

  for (let round = 0; round < options.nRounds; round++) {
    logisticGradients(margin, train.y, weight, gh);
    const nSampled = sampleRows(context.rows, options.subsample, random);
    const nActive = sampleFeatures(context.features, splittable, nFeatures, options.colsampleByTree, random);
    const tree = grower.grow(gh, nSampled, nActive);
    trees.push(tree);
    if (nSampled === nRows) grower.addLeafValues(margin);
    else grower.addBinnedPredictions(margin);

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
  return { model, rounds, bestIteration: kept - 1, history, threads: threads.nThreads };
}
