/**
 * Gradient histograms, the hot loop of training. A histogram holds, for every (feature, bin), the sums of gradients
 * and hessians of a node's rows, interleaved: bin `b` of feature `f` is at `2 * (histOffset[f] + b)` (gradient) and
 * the next index (hessian). The same code runs on the main thread and in worker threads, each on its own share of the
 * features, so every feature's sums are added in the same order whatever the thread count (identical models).
 */

/** Everything a thread needs to run histogram tasks; all arrays but `slots` and the offsets live in shared memory. */
export interface HistogramContext {
  nRows: number;
  /** Column-major bins (see `BinnedMatrix.bins`). */
  bins: Uint8Array;
  histOffset: Int32Array;
  nBins: Int32Array;
  /** Row indices; every node owns a contiguous segment. */
  rows: Uint32Array;
  /** Gradient and hessian of `rows[i]` at `2i` and `2i + 1`, gathered before a build so the hot loop reads them in order. */
  ordered: Float64Array;
  /** Features to build (those drawn for the current tree), ascending. */
  features: Int32Array;
  /** Task records of {@link TASK_FIELDS} ints each. */
  tasks: Int32Array;
  /** Histogram buffers by slot id. */
  slots: Float64Array[];
}

/** Ints per task record: kind, target slot, row start, row end, other slot. */
export const TASK_FIELDS = 5;
/** Build the histogram of rows `[start, end)` into the target slot. */
export const TASK_BUILD = 0;
/** Subtract the other slot's histogram from the target slot (parent minus smaller child = larger child). */
export const TASK_SUBTRACT = 1;

/**
 * Runs tasks `0 .. nTasks - 1` for the features `features[from .. to)`. Tasks run in order, so a subtraction listed
 * after the build it depends on sees that build finished for these features.
 */
export function runHistogramTasks(ctx: HistogramContext, nTasks: number, from: number, to: number): void {
  const tasks = ctx.tasks;
  for (let t = 0; t < nTasks; t++) {
    const at = t * TASK_FIELDS;
    const target = ctx.slots[tasks[at + 1]!]!;
    if (tasks[at] === TASK_BUILD) buildHistogram(ctx, target, tasks[at + 2]!, tasks[at + 3]!, from, to);
    else subtractHistogram(ctx, target, ctx.slots[tasks[at + 4]!]!, from, to);
  }
}

function subtractHistogram(ctx: HistogramContext, target: Float64Array, other: Float64Array, from: number, to: number): void {
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
 * each other when consecutive rows fall into the same bin.
 */
function buildHistogram(ctx: HistogramContext, hist: Float64Array, start: number, end: number, from: number, to: number): void {
  const { features, histOffset, nBins, nRows } = ctx;
  for (let k = from; k < to; k++) {
    const f = features[k]!;
    hist.fill(0, 2 * histOffset[f]!, 2 * (histOffset[f]! + nBins[f]! + 1));
  }
  let k = from;
  for (; k + 8 <= to; k += 8) build8(ctx, hist, start, end, k);
  for (; k + 4 <= to; k += 4) build4(ctx, hist, start, end, k);
  for (; k < to; k++) {
    const f = features[k]!;
    build1(ctx.bins, ctx.rows, ctx.ordered, hist, start, end, f * nRows, 2 * histOffset[f]!);
  }
}

function build1(bins: Uint8Array, rows: Uint32Array, gh: Float64Array, hist: Float64Array, start: number, end: number, col: number, off: number): void {
  for (let i = start; i < end; i++) {
    const b = off + (bins[col + rows[i]!]! << 1);
    hist[b]! += gh[2 * i]!;
    hist[b + 1]! += gh[2 * i + 1]!;
  }
}

function build4(ctx: HistogramContext, hist: Float64Array, start: number, end: number, k: number): void {
  const { bins, rows, ordered: gh, features, histOffset, nRows } = ctx;
  const f0 = features[k]!, f1 = features[k + 1]!, f2 = features[k + 2]!, f3 = features[k + 3]!;
  const c0 = f0 * nRows, c1 = f1 * nRows, c2 = f2 * nRows, c3 = f3 * nRows;
  const o0 = 2 * histOffset[f0]!, o1 = 2 * histOffset[f1]!, o2 = 2 * histOffset[f2]!, o3 = 2 * histOffset[f3]!;
  for (let i = start; i < end; i++) {
    const r = rows[i]!;
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

function build8(ctx: HistogramContext, hist: Float64Array, start: number, end: number, k: number): void {
  const { bins, rows, ordered: gh, features, histOffset, nRows } = ctx;
  const f0 = features[k]!, f1 = features[k + 1]!, f2 = features[k + 2]!, f3 = features[k + 3]!;
  const f4 = features[k + 4]!, f5 = features[k + 5]!, f6 = features[k + 6]!, f7 = features[k + 7]!;
  const c0 = f0 * nRows, c1 = f1 * nRows, c2 = f2 * nRows, c3 = f3 * nRows;
  const c4 = f4 * nRows, c5 = f5 * nRows, c6 = f6 * nRows, c7 = f7 * nRows;
  const o0 = 2 * histOffset[f0]!, o1 = 2 * histOffset[f1]!, o2 = 2 * histOffset[f2]!, o3 = 2 * histOffset[f3]!;
  const o4 = 2 * histOffset[f4]!, o5 = 2 * histOffset[f5]!, o6 = 2 * histOffset[f6]!, o7 = 2 * histOffset[f7]!;
  for (let i = start; i < end; i++) {
    const r = rows[i]!;
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
