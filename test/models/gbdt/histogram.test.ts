import { binMatrix } from '../../../models/gbdt/binning';
import { SPLIT_FIELDS, TASK_BUILD, TASK_FIELDS, TASK_SPLIT, TASK_SUBTRACT, histogramUnits, runHistogramUnit, splitResultAt } from '../../../models/gbdt/histogram';
import type { ThreadContext } from '../../../models/gbdt/thread-context';
import { emptyCandidate, findBestSplit } from '../../../models/gbdt/split';
import { partitionSegment } from './partition-helper';
import { createRandom } from '../../../models/gbdt/random';
import { buildSparseColumns } from '../../../models/gbdt/sparse-columns';

/**
 * 13 features (one group of 8, one of 4 and a single one in the unrolled kernels), some values missing. With
 * `dominated`, every other feature is 0 (or, for every fourth, missing) in about 80% of the rows.
 */
function setup(nRows: number, dominated = false) {
  const nFeatures = 13;
  const random = createRandom(11);
  const X = new Float32Array(nRows * nFeatures);
  for (let i = 0; i < X.length; i++) {
    const f = i % nFeatures;
    if (dominated && f % 2 === 0 && random() < 0.8) X[i] = f % 4 === 0 ? NaN : 0;
    else X[i] = random() < 0.1 ? NaN : Math.floor(random() * 40);
  }
  const binned = binMatrix(X, nRows, nFeatures, 255);
  const gh = new Float64Array(2 * nRows);
  for (let i = 0; i < gh.length; i++) gh[i] = random() - 0.3;
  const context: ThreadContext = {
    nRows,
    nFeatures,
    X,
    maxBins: 255,
    bins: binned.bins,
    histOffset: binned.histOffset,
    nBins: binned.nBins,
    hasMissing: binned.hasMissing,
    mostFrequentBin: binned.mostFrequentBin,
    mostFrequentCount: binned.mostFrequentCount,
    cutValues: new Float32Array(0),
    rows: Uint32Array.from({ length: nRows }, (_, i) => i),
    gh,
    ordered: new Float64Array(2 * nRows),
    partitions: new Int32Array(6),
    partitionUnits: new Int32Array(6 * 10),
    partitionLeft: new Uint32Array(nRows),
    partitionRight: new Uint32Array(nRows),
    gatheredIn: new Int32Array(4),
    margin: new Float64Array(nRows),
    expNegMargin: new Float64Array(nRows),
    labels: new Uint8Array(nRows),
    weight: new Float64Array(nRows),
    features: Int32Array.from({ length: nFeatures }, (_, f) => f),
    tasks: new Int32Array(4 * TASK_FIELDS),
    taskValues: new Float64Array(2 * 4),
    splits: new Float64Array(4 * histogramUnits(nFeatures) * SPLIT_FIELDS),
    params: { lambda: 1, minChildWeight: 0, gamma: 0 },
    slots: [0, 1, 2, 3].map(() => new Float64Array(2 * binned.histBins)),
    sparse: null,
  };
  return { binned, gh, context, nFeatures };
}

/** Histogram computed the obvious way, from the row list. */
function naiveHistogram(rows: ArrayLike<number>, s: ReturnType<typeof setup>): Float64Array {
  const hist = new Float64Array(2 * s.binned.histBins);
  for (let f = 0; f < s.nFeatures; f++) {
    for (let k = 0; k < rows.length; k++) {
      const r = rows[k]!;
      const b = 2 * (s.binned.histOffset[f]! + s.binned.bins[f * s.binned.nRows + r]!);
      hist[b]! += s.gh[2 * r]!;
      hist[b + 1]! += s.gh[2 * r + 1]!;
    }
  }
  return hist;
}

function maxDifference(a: Float64Array, b: Float64Array): number {
  expect(a.length).toBe(b.length);
  return a.reduce((max, v, i) => Math.max(max, Math.abs(v - b[i]!)), 0);
}

let job = 0;

/** Runs a histogram job over all 13 features, unit by unit in reverse order (threads may take them in any order). */
function runJob(context: ThreadContext, nTasks: number): void {
  job++;
  for (let unit = histogramUnits(13) - 1; unit >= 0; unit--) runHistogramUnit(context, nTasks, 13, unit, job);
}

function setTask(tasks: Int32Array, t: number, values: number[]): void {
  tasks.set(values, t * TASK_FIELDS);
}

describe('histogram tasks', () => {
  it('build a histogram and derive the sibling by subtraction', () => {
    const s = setup(3000);
    const { context, binned } = s;
    setTask(context.tasks, 0, [TASK_BUILD, 0, 0, 3000, 0]);
    runJob(context, 1);
    expect(maxDifference(context.slots[0]!, naiveHistogram(context.rows, s))).toBeLessThan(1e-9);
    // The rows are 0 .. n - 1 in order here: the build that skips the index gives exactly the same sums.
    setTask(context.tasks, 0, [TASK_BUILD, 2, 0, 3000, 1]);
    runJob(context, 1);
    expect(Array.from(context.slots[2]!)).toEqual(Array.from(context.slots[0]!));

    // Split on feature 4 at bin 10, missing left; build the left child, subtract for the right.
    const mid = partitionSegment(context, [0, 3000, 4 * 3000, 10, binned.nBins[4]!, 1], 3000);
    setTask(context.tasks, 0, [TASK_BUILD, 1, 0, mid, 0]);
    setTask(context.tasks, 1, [TASK_SUBTRACT, 0, 0, 0, 1]);
    runJob(context, 2);
    const left = naiveHistogram(context.rows.subarray(0, mid), s);
    const right = naiveHistogram(context.rows.subarray(mid), s);
    expect(maxDifference(context.slots[1]!, left)).toBeLessThan(1e-9);
    expect(maxDifference(context.slots[0]!, right)).toBeLessThan(1e-9);
  });

  it('build the root from the sparse features\' lists and the node sums, as from every row', () => {
    const s = setup(3000, true);
    const { context, binned } = s;
    context.sparse = buildSparseColumns(binned);
    // Features 0, 2, .., 12 are listed (about 20% of their rows), the noisy ones are built densely.
    expect(Array.from(context.sparse.skippedBin).map((b) => b >= 0)).toEqual(Array.from({ length: 13 }, (_, f) => f % 2 === 0));
    let G = 0;
    let H = 0;
    for (let r = 0; r < 3000; r++) {
      G += s.gh[2 * r]!;
      H += s.gh[2 * r + 1]!;
    }
    setTask(context.tasks, 0, [TASK_BUILD, 0, 0, 3000, 1]);
    context.taskValues.set([G, H]);
    runJob(context, 1);
    expect(maxDifference(context.slots[0]!, naiveHistogram(context.rows, s))).toBeLessThan(1e-9);
    // Nodes below the root are built from their rows.
    const mid = partitionSegment(context, [0, 3000, 2 * 3000, 0, binned.nBins[2]!, 1], 3000);
    setTask(context.tasks, 0, [TASK_BUILD, 1, 0, mid, 0]);
    runJob(context, 1);
    expect(maxDifference(context.slots[1]!, naiveHistogram(context.rows.subarray(0, mid), s))).toBeLessThan(1e-9);
  });

  it('split searches per block of features reduce to the search over all features', () => {
    const s = setup(3000);
    const { context } = s;
    let G = 0;
    let H = 0;
    for (let r = 0; r < 3000; r++) {
      G += s.gh[2 * r]!;
      H += s.gh[2 * r + 1]!;
    }
    setTask(context.tasks, 0, [TASK_BUILD, 0, 0, 3000, 0]);
    setTask(context.tasks, 1, [TASK_SPLIT, 0, 0, 0, -1]);
    context.taskValues.set([0, 0, G, H]);
    runJob(context, 2);
    // Units hold features 0-7 and 8-12; the first strictly better result in unit order wins.
    const [a, b] = [0, 1].map((unit) => context.splits.subarray(splitResultAt(1, unit, 13), splitResultAt(1, unit, 13) + SPLIT_FIELDS));
    const reduced = b![0]! > a![0]! ? b! : a!;
    const whole = emptyCandidate();
    findBestSplit(context.slots[0]!, context.features, 0, 13, context.histOffset, context.nBins, G, H, context.params, whole);
    expect(whole.gain).toBeGreaterThan(0);
    expect(Array.from(reduced)).toEqual([
      whole.gain,
      whole.feature,
      whole.bin,
      whole.defaultLeft ? 1 : 0,
      whole.gradLeft,
      whole.hessLeft,
      whole.gradRight,
      whole.hessRight,
    ]);
  });
});
