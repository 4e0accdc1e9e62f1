import type { SparseColumns } from './sparse-columns';
import { emptyCandidate, findBestSplit } from './split';
import type { ThreadContext } from './thread-context';

/**
 * Gradient histograms, the hot loop of training. A histogram holds, for every (feature, bin), the sums of gradients
 * and hessians of a node's rows, interleaved: bin `b` of feature `f` is at `2 * (histOffset[f] + b)` (gradient) and
 * the next index (hessian). A histogram job is cut into units of {@link FEATURE_BLOCK} features; every feature's sums
 * are added in the same order whichever thread takes its unit (identical models for any thread count).
 */

/** Ints per task record: kind, target slot, row start, row end, other slot (builds: 1 when the rows are all rows in order). */
export const TASK_FIELDS = 5;
/**
 * Build the histogram of rows `rows[start .. end)` into the target slot; `taskValues` holds the node's gradient and
 * hessian sums. When `rows` there is `0 .. nRows - 1` (the root without row sampling, most of the work), the build
 * reads rows and gradients directly, skipping the index, and adds only the listed rows of sparse features (see
 * sparse-columns.ts).
 */
export const TASK_BUILD = 0;
/** Subtract the other slot's histogram from the target slot (parent minus smaller child = larger child). */
export const TASK_SUBTRACT = 1;
/** Find the best split of the target slot's node (its sums in `taskValues`) among the unit's features. */
export const TASK_SPLIT = 2;

/** Histogram tasks per job; a larger batch of nodes runs as several jobs. */
export const MAX_TASKS = 512;

/** Numbers per split result: gain, feature, bin, default left (0/1), then left and right gradient/hessian sums. */
export const SPLIT_FIELDS = 8;

/** Active features per unit of a histogram job: what the widest build kernel takes at once. */
export const FEATURE_BLOCK = 8;

/** Units of a histogram job over `nActive` features. */
export function histogramUnits(nActive: number): number {
  return Math.ceil(nActive / FEATURE_BLOCK);
}

/** Where the split found by task `t` in unit `unit` is stored in `splits`. */
export function splitResultAt(t: number, unit: number, nFeatures: number): number {
  return (t * histogramUnits(nFeatures) + unit) * SPLIT_FIELDS;
}

/**
 * Runs tasks `0 .. nTasks - 1` of job `job` for unit `unit`: the active features `features[8·unit ..]`. Tasks run in
 * order and a unit covers its features in every task, so a subtraction or split search listed after the build it
 * depends on reads finished sums.
 */
export function runHistogramUnit(ctx: ThreadContext, nTasks: number, nActive: number, unit: number, job: number): void {
  const from = unit * FEATURE_BLOCK;
  const to = Math.min(nActive, from + FEATURE_BLOCK);
  const tasks = ctx.tasks;
  for (let t = 0; t < nTasks; t++) {
    const at = t * TASK_FIELDS;
    const target = ctx.slots[tasks[at + 1]!]!;
    const kind = tasks[at];
    if (kind === TASK_BUILD) {
      const identity = tasks[at + 4] === 1;
      // A thread gathers a node's gradient pairs once per job, whatever number of units it takes.
      if (!identity && ctx.gatheredIn[t] !== job) {
        gather(ctx, tasks[at + 2]!, tasks[at + 3]!);
        ctx.gatheredIn[t] = job;
      }
      if (identity && ctx.sparse) buildRootHistogram(ctx, ctx.sparse, target, tasks[at + 3]!, from, to, ctx.taskValues[2 * t]!, ctx.taskValues[2 * t + 1]!);
      else buildHistogram(ctx, target, tasks[at + 2]!, tasks[at + 3]!, identity, from, to);
    } else if (kind === TASK_SUBTRACT) {
      subtractHistogram(ctx, target, ctx.slots[tasks[at + 4]!]!, from, to);
    } else {
      searchSplit(ctx, target, t, from, to, splitResultAt(t, unit, ctx.nFeatures));
    }
  }
}

function gather(ctx: ThreadContext, start: number, end: number): void {
  const { rows, gh, ordered } = ctx;
  for (let i = start; i < end; i++) {
    const r = rows[i]!;
    ordered[2 * i] = gh[2 * r]!;
    ordered[2 * i + 1] = gh[2 * r + 1]!;
  }
}

function searchSplit(ctx: ThreadContext, hist: Float64Array, t: number, from: number, to: number, out: number): void {
  const best = emptyCandidate();
  findBestSplit(hist, ctx.features, from, to, ctx.histOffset, ctx.nBins, ctx.taskValues[2 * t]!, ctx.taskValues[2 * t + 1]!, ctx.params, best);
  const splits = ctx.splits;
  splits[out] = best.gain;
  splits[out + 1] = best.feature;
  splits[out + 2] = best.bin;
  splits[out + 3] = best.defaultLeft ? 1 : 0;
  splits[out + 4] = best.gradLeft;
  splits[out + 5] = best.hessLeft;
  splits[out + 6] = best.gradRight;
  splits[out + 7] = best.hessRight;
}

function subtractHistogram(ctx: ThreadContext, target: Float64Array, other: Float64Array, from: number, to: number): void {
  for (let k = from; k < to; k++) {
    const f = ctx.features[k]!;
    const begin = 2 * ctx.histOffset[f]!;
    const end = begin + 2 * (ctx.nBins[f]! + 1);
    for (let j = begin; j < end; j++) target[j]! -= other[j]!;
  }
}

/**
 * Features are processed eight (then four, then one) at a time: each row's gradient pair is loaded once for several
 * columns, and the independent additions into different features' bins overlap in the CPU instead of waiting on
 * each other when consecutive rows fall into the same bin. The node's gradient pairs are first copied into node
 * order (`ordered`), so the loop over columns reads them sequentially instead of missing the cache once per row and
 * group of columns in sparse nodes.
 */
function buildHistogram(ctx: ThreadContext, hist: Float64Array, start: number, end: number, identity: boolean, from: number, to: number): void {
  clearFeatures(ctx, hist, from, to);
  buildDense(ctx, ctx.features, identity ? ctx.gh : ctx.ordered, identity, hist, start, end, from, to);
}

function clearFeatures(ctx: ThreadContext, hist: Float64Array, from: number, to: number): void {
  const { features, histOffset, nBins } = ctx;
  for (let k = from; k < to; k++) {
    const f = features[k]!;
    hist.fill(0, 2 * histOffset[f]!, 2 * (histOffset[f]! + nBins[f]! + 1));
  }
}

/** Adds rows `start .. end` to the bins of features `list[from .. to)`, several features per pass over the rows. */
function buildDense(ctx: ThreadContext, list: Int32Array, pairs: Float64Array, identity: boolean, hist: Float64Array, start: number, end: number, from: number, to: number): void {
  let k = from;
  for (; k + 8 <= to; k += 8) build8(ctx, list, pairs, identity, hist, start, end, k);
  for (; k + 4 <= to; k += 4) build4(ctx, list, pairs, identity, hist, start, end, k);
  for (; k < to; k++) {
    const f = list[k]!;
    build1(ctx.bins, ctx.rows, pairs, identity, hist, start, end, f * ctx.nRows, 2 * ctx.histOffset[f]!);
  }
}

/** This thread's dense features of the unit being built (module state is per thread). */
const denseFeatures = new Int32Array(FEATURE_BLOCK);

/**
 * The root histogram over all `nRows` rows in order: dense features as any build, listed features from their lists
 * only, then each listed feature's skipped bin set to the node's sums minus its other bins.
 */
function buildRootHistogram(ctx: ThreadContext, sparse: SparseColumns, hist: Float64Array, nRows: number, from: number, to: number, grad: number, hess: number): void {
  const { features, histOffset, nBins, gh } = ctx;
  const { skippedBin } = sparse;
  clearFeatures(ctx, hist, from, to);
  let nDense = 0;
  for (let k = from; k < to; k++) if (skippedBin[features[k]!]! < 0) denseFeatures[nDense++] = features[k]!;
  buildDense(ctx, denseFeatures, gh, true, hist, 0, nRows, 0, nDense);
  for (let k = from; k < to; k++) {
    const f = features[k]!;
    const skip = skippedBin[f]!;
    if (skip < 0) continue;
    const off = 2 * histOffset[f]!;
    const width = 2 * (nBins[f]! + 1);
    buildListed(sparse, gh, hist, sparse.from[f]!, sparse.from[f + 1]!, off, width);
    fillSkippedBin(hist, off, width, skip, grad, hess);
  }
}

/** Sets the skipped bin (still 0) of the feature at `off` to the node's sums minus the feature's other bins. */
function fillSkippedBin(hist: Float64Array, off: number, width: number, skip: number, grad: number, hess: number): void {
  let g = grad;
  let h = hess;
  for (let j = off, end = off + width; j < end; j += 2) {
    g -= hist[j]!;
    h -= hist[j + 1]!;
  }
  hist[off + 2 * skip] = g;
  hist[off + 2 * skip + 1] = h;
}

/** This thread's partial sums of one listed feature, {@link LISTED_LANES} histograms of up to 256 bins each. */
const LISTED_LANES = 4;
const LANE = 2 * 256;
const lanes = new Float64Array(LISTED_LANES * LANE);

/**
 * Adds a listed feature's entries `begin .. end` to its bins at `off` (`width` numbers). Consecutive entries go to
 * four separate partial histograms: a low-cardinality feature's entries mostly share one bin, and one histogram
 * would make every addition wait for the previous one's store. The lanes are summed in a fixed order.
 */
function buildListed(sparse: SparseColumns, gh: Float64Array, hist: Float64Array, begin: number, end: number, off: number, width: number): void {
  const { rows, bins } = sparse;
  for (let lane = 0; lane < LISTED_LANES; lane++) lanes.fill(0, lane * LANE, lane * LANE + width);
  let j = begin;
  for (; j + 4 <= end; j += 4) {
    const r0 = rows[j]!, r1 = rows[j + 1]!, r2 = rows[j + 2]!, r3 = rows[j + 3]!;
    const b0 = bins[j]! << 1, b1 = LANE + (bins[j + 1]! << 1), b2 = 2 * LANE + (bins[j + 2]! << 1), b3 = 3 * LANE + (bins[j + 3]! << 1);
    lanes[b0]! += gh[2 * r0]!;
    lanes[b0 + 1]! += gh[2 * r0 + 1]!;
    lanes[b1]! += gh[2 * r1]!;
    lanes[b1 + 1]! += gh[2 * r1 + 1]!;
    lanes[b2]! += gh[2 * r2]!;
    lanes[b2 + 1]! += gh[2 * r2 + 1]!;
    lanes[b3]! += gh[2 * r3]!;
    lanes[b3 + 1]! += gh[2 * r3 + 1]!;
  }
  for (; j < end; j++) {
    const r = rows[j]!;
    const b = bins[j]! << 1;
    lanes[b]! += gh[2 * r]!;
    lanes[b + 1]! += gh[2 * r + 1]!;
  }
  for (let k = 0; k < width; k++) hist[off + k] = lanes[k]! + lanes[LANE + k]! + (lanes[2 * LANE + k]! + lanes[3 * LANE + k]!);
}

function build1(bins: Uint8Array, rows: Uint32Array, gh: Float64Array, identity: boolean, hist: Float64Array, start: number, end: number, col: number, off: number): void {
  for (let i = start; i < end; i++) {
    const b = off + (bins[col + (identity ? i : rows[i]!)]! << 1);
    hist[b]! += gh[2 * i]!;
    hist[b + 1]! += gh[2 * i + 1]!;
  }
}

function build4(ctx: ThreadContext, features: Int32Array, gh: Float64Array, identity: boolean, hist: Float64Array, start: number, end: number, k: number): void {
  const { bins, rows, histOffset, nRows } = ctx;
  const f0 = features[k]!, f1 = features[k + 1]!, f2 = features[k + 2]!, f3 = features[k + 3]!;
  const c0 = f0 * nRows, c1 = f1 * nRows, c2 = f2 * nRows, c3 = f3 * nRows;
  const o0 = 2 * histOffset[f0]!, o1 = 2 * histOffset[f1]!, o2 = 2 * histOffset[f2]!, o3 = 2 * histOffset[f3]!;
  for (let i = start; i < end; i++) {
    const r = identity ? i : rows[i]!;
    const g = gh[2 * i]!;
    const h = gh[2 * i + 1]!;
    let b = o0 + (bins[c0 + r]! << 1);
    hist[b]! += g;
    hist[b + 1]! += h;
    b = o1 + (bins[c1 + r]! << 1);
    hist[b]! += g;
    hist[b + 1]! += h;
    b = o2 + (bins[c2 + r]! << 1);
    hist[b]! += g;
    hist[b + 1]! += h;
    b = o3 + (bins[c3 + r]! << 1);
    hist[b]! += g;
    hist[b + 1]! += h;
  }
}

function build8(ctx: ThreadContext, features: Int32Array, gh: Float64Array, identity: boolean, hist: Float64Array, start: number, end: number, k: number): void {
  const { bins, rows, histOffset, nRows } = ctx;
  const f0 = features[k]!, f1 = features[k + 1]!, f2 = features[k + 2]!, f3 = features[k + 3]!;
  const f4 = features[k + 4]!, f5 = features[k + 5]!, f6 = features[k + 6]!, f7 = features[k + 7]!;
  const c0 = f0 * nRows, c1 = f1 * nRows, c2 = f2 * nRows, c3 = f3 * nRows;
  const c4 = f4 * nRows, c5 = f5 * nRows, c6 = f6 * nRows, c7 = f7 * nRows;
  const o0 = 2 * histOffset[f0]!, o1 = 2 * histOffset[f1]!, o2 = 2 * histOffset[f2]!, o3 = 2 * histOffset[f3]!;
  const o4 = 2 * histOffset[f4]!, o5 = 2 * histOffset[f5]!, o6 = 2 * histOffset[f6]!, o7 = 2 * histOffset[f7]!;
  for (let i = start; i < end; i++) {
    const r = identity ? i : rows[i]!;
    const g = gh[2 * i]!;
    const h = gh[2 * i + 1]!;
    let b = o0 + (bins[c0 + r]! << 1);
    hist[b]! += g;
    hist[b + 1]! += h;
    b = o1 + (bins[c1 + r]! << 1);
    hist[b]! += g;
    hist[b + 1]! += h;
    b = o2 + (bins[c2 + r]! << 1);
    hist[b]! += g;
    hist[b + 1]! += h;
    b = o3 + (bins[c3 + r]! << 1);
    hist[b]! += g;
    hist[b + 1]! += h;
    b = o4 + (bins[c4 + r]! << 1);
    hist[b]! += g;
    hist[b + 1]! += h;
    b = o5 + (bins[c5 + r]! << 1);
    hist[b]! += g;
    hist[b + 1]! += h;
    b = o6 + (bins[c6 + r]! << 1);
    hist[b]! += g;
    hist[b + 1]! += h;
    b = o7 + (bins[c7 + r]! << 1);
    hist[b]! += g;
    hist[b + 1]! += h;
  }
}
