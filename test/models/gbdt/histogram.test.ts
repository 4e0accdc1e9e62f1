import { binMatrix } from '../../../models/gbdt/binning';
import { TASK_BUILD, TASK_FIELDS, TASK_SUBTRACT, runHistogramTasks, type HistogramContext } from '../../../models/gbdt/histogram';
import { partitionRows } from '../../../models/gbdt/partition';
import { createRandom } from '../../../models/gbdt/random';

/** 13 features (one group of 8, one of 4 and a single one in the unrolled kernels), some values missing. */
function setup(nRows: number) {
  const nFeatures = 13;
  const random = createRandom(11);
  const X = new Float32Array(nRows * nFeatures);
  for (let i = 0; i < X.length; i++) X[i] = random() < 0.1 ? NaN : Math.floor(random() * 40);
  const binned = binMatrix(X, nRows, nFeatures, 255);
  const gh = new Float64Array(2 * nRows);
  for (let i = 0; i < gh.length; i++) gh[i] = random() - 0.3;
  const context: HistogramContext = {
    nRows,
    bins: binned.bins,
    histOffset: binned.histOffset,
    nBins: binned.nBins,
    rows: Uint32Array.from({ length: nRows }, (_, i) => i),
    ordered: new Float64Array(2 * nRows),
    features: Int32Array.from({ length: nFeatures }, (_, f) => f),
    tasks: new Int32Array(4 * TASK_FIELDS),
    slots: [0, 1, 2, 3].map(() => new Float64Array(2 * binned.histBins)),
  };
  const gather = () => {
    for (let i = 0; i < nRows; i++) {
      context.ordered[2 * i] = gh[2 * context.rows[i]!]!;
      context.ordered[2 * i + 1] = gh[2 * context.rows[i]! + 1]!;
    }
  };
  return { binned, gh, context, gather, nFeatures };
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

function setTask(tasks: Int32Array, t: number, values: number[]): void {
  tasks.set(values, t * TASK_FIELDS);
}

describe('histogram tasks', () => {
  it('build a histogram and derive the sibling by subtraction', () => {
    const s = setup(3000);
    const { context, binned } = s;
    s.gather();
    setTask(context.tasks, 0, [TASK_BUILD, 0, 0, 3000, -1]);
    runHistogramTasks(context, 1, 0, s.nFeatures);
    expect(maxDifference(context.slots[0]!, naiveHistogram(context.rows, s))).toBeLessThan(1e-9);

    // Split on feature 4 at bin 10, missing left; build the left child, subtract for the right.
    const mid = partitionRows(context.rows, new Uint32Array(3000), 0, 3000, binned.bins, 4 * 3000, 10, binned.nBins[4]!, true);
    s.gather();
    setTask(context.tasks, 0, [TASK_BUILD, 1, 0, mid, -1]);
    setTask(context.tasks, 1, [TASK_SUBTRACT, 0, 0, 0, 1]);
    runHistogramTasks(context, 2, 0, s.nFeatures);
    const left = naiveHistogram(context.rows.subarray(0, mid), s);
    const right = naiveHistogram(context.rows.subarray(mid), s);
    expect(maxDifference(context.slots[1]!, left)).toBeLessThan(1e-9);
    expect(maxDifference(context.slots[0]!, right)).toBeLessThan(1e-9);
  });

  it('partition keeps rows in order and follows the missing direction', () => {
    const s = setup(200);
    const { context, binned } = s;
    const missing = binned.nBins[2]!;
    for (const defaultLeft of [true, false]) {
      context.rows.set(Uint32Array.from({ length: 200 }, (_, i) => i));
      const mid = partitionRows(context.rows, new Uint32Array(200), 0, 200, binned.bins, 2 * 200, 5, missing, defaultLeft);
      const goesLeft = (r: number) => {
        const b = binned.bins[2 * 200 + r]!;
        return b === missing ? defaultLeft : b <= 5;
      };
      const expectedLeft = Array.from({ length: 200 }, (_, i) => i).filter(goesLeft);
      const expectedRight = Array.from({ length: 200 }, (_, i) => i).filter((r) => !goesLeft(r));
      expect(Array.from(context.rows.subarray(0, mid))).toEqual(expectedLeft);
      expect(Array.from(context.rows.subarray(mid))).toEqual(expectedRight);
    }
  });
});
