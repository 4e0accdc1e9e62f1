import type { BinnedMatrix } from './binning';
import { TASK_BUILD, TASK_FIELDS, TASK_SUBTRACT, type HistogramContext } from './histogram';
import type { HistogramThreads } from './histogram-threads';
import type { GrowPolicy } from './options';
import { partitionRows } from './partition';
import { MIN_GAIN, emptyCandidate, findBestSplit, leafWeight, type SplitCandidate, type SplitParams } from './split';
import type { Tree } from './tree';

/** Options that shape one tree (see `GbdtOptions`). */
export interface GrowParams extends SplitParams {
  learningRate: number;
  maxDepth: number;
  maxLeaves: number;
  growPolicy: GrowPolicy;
}

/** Threshold of a "missing vs present" split: no float32 value is below it, so every present value goes right. */
const LOWEST_FLOAT32 = -3.4028234663852886e38;

/** Histogram tasks per batch; a larger batch runs in several rounds. */
export const MAX_TASKS = 512;

interface GrowNode {
  id: number;
  depth: number;
  /** Segment of `rows` holding the node's rows. */
  start: number;
  end: number;
  grad: number;
  hess: number;
  /** Histogram slot, -1 when the node has none. */
  slot: number;
  /** Best split when it is worth making. */
  split: SplitCandidate | null;
}

/**
 * Grows one tree at a time on binned data, reusing every buffer across trees. Rows of a node sit in one segment of
 * `context.rows`; splitting a node partitions its segment in place. Per split only the smaller child's histogram is
 * built from rows; the larger child's is the parent's minus it (the "histogram subtraction trick", LightGBM, Ke et
 * al. 2017), written over the parent's slot.
 */
export class TreeGrower {
  private readonly scratch: Uint32Array;
  private readonly freeSlots: number[] = [];
  private nSlots = 0;
  private nTasks = 0;
  private nodes: GrowNode[] = [];
  private tree: { feature: number[]; threshold: number[]; defaultLeft: number[]; left: number[]; right: number[]; value: number[]; cover: number[]; gain: number[]; bin: number[] } =
    TreeGrower.emptyArrays();

  constructor(
    private readonly binned: BinnedMatrix,
    private readonly context: HistogramContext,
    private readonly threads: HistogramThreads,
    private readonly params: GrowParams,
  ) {
    this.scratch = new Uint32Array(binned.nRows);
  }

  private static emptyArrays() {
    return { feature: [], threshold: [], defaultLeft: [], left: [], right: [], value: [], cover: [], gain: [], bin: [] };
  }

  /**
   * Grows a tree on the rows `context.rows[0 .. nSampled)` with gradient pairs `gh` (gradient of row `r` at `2r`,
   * hessian at `2r + 1`) and features `context.features[0 .. nActive)`.
   */
  grow(gh: Float64Array, nSampled: number, nActive: number): Tree {
    this.nodes = [];
    this.tree = TreeGrower.emptyArrays();
    const [grad, hess] = this.gather(gh, 0, nSampled);
    const root = this.addNode(0, 0, nSampled, grad, hess);
    let leaves = 1;
    let open: GrowNode[] = [];
    if (this.splittable(root, leaves)) {
      root.slot = this.allocSlot();
      this.addTask(TASK_BUILD, root.slot, 0, nSampled, -1);
      this.flush(nActive);
      if (this.evaluate(root, nActive)) open.push(root);
      else this.releaseSlot(root);
    }

    while (open.length) {
      let batch: GrowNode[];
      if (this.params.growPolicy === 'lossguide') {
        let best = 0;
        for (let i = 1; i < open.length; i++) if (open[i]!.split!.gain > open[best]!.split!.gain) best = i;
        batch = open.splice(best, 1);
      } else {
        batch = open;
        open = [];
      }
      if (this.params.maxLeaves > 0 && leaves + batch.length > this.params.maxLeaves) {
        batch.sort((a, b) => b.split!.gain - a.split!.gain || a.id - b.id);
        for (const node of batch.splice(this.params.maxLeaves - leaves)) this.releaseSlot(node);
      }

      const children: GrowNode[] = [];
      const unneeded: number[] = [];
      for (const node of batch) {
        const [left, right] = this.splitNode(node);
        leaves++;
        const needLeft = this.splittable(left, leaves);
        const needRight = this.splittable(right, leaves);
        if (!needLeft && !needRight) {
          this.releaseSlot(node);
          continue;
        }
        const [small, large] = left.end - left.start <= right.end - right.start ? [left, right] : [right, left];
        const needLarge = small === left ? needRight : needLeft;
        small.slot = this.allocSlot();
        this.gather(gh, small.start, small.end);
        this.addTask(TASK_BUILD, small.slot, small.start, small.end, -1);
        if (needLarge) {
          large.slot = node.slot;
          this.addTask(TASK_SUBTRACT, large.slot, 0, 0, small.slot);
          children.push(large);
        } else {
          unneeded.push(node.slot);
        }
        node.slot = -1;
        if (small === left ? needLeft : needRight) children.push(small);
        else unneeded.push(small.slot);
        // Keep builds and the subtraction that reads them in one run of tasks.
        if (this.nTasks + 2 > MAX_TASKS) this.flush(nActive);
      }
      this.flush(nActive);
      for (const slot of unneeded) this.freeSlots.push(slot);

      children.sort((a, b) => a.id - b.id);
      for (const child of children) {
        if (this.evaluate(child, nActive)) open.push(child);
        else this.releaseSlot(child);
      }
      if (this.params.maxLeaves > 0 && leaves >= this.params.maxLeaves) {
        for (const node of open) this.releaseSlot(node);
        open = [];
      }
    }
    return this.finishTree();
  }

  /**
   * Adds the last grown tree's leaf values to the margins of the rows it was grown on; with every row in the tree
   * (no row subsampling) that is all rows, read straight from the leaves' segments.
   */
  addLeafValues(margin: Float64Array): void {
    const rows = this.context.rows;
    for (const node of this.nodes) {
      if (this.tree.feature[node.id]! >= 0) continue;
      const value = this.tree.value[node.id]!;
      for (let i = node.start; i < node.end; i++) margin[rows[i]!]! += value;
    }
  }

  /** Adds the last grown tree's values for every training row, routing rows by their bins (used when subsampling). */
  addBinnedPredictions(margin: Float64Array): void {
    const { bins, nRows, nBins } = this.binned;
    const { feature, bin, defaultLeft, left, right, value } = this.tree;
    for (let r = 0; r < nRows; r++) {
      let node = 0;
      let f = feature[0]!;
      while (f >= 0) {
        const b = bins[f * nRows + r]!;
        node = (b === nBins[f] ? defaultLeft[node] === 1 : b <= bin[node]!) ? left[node]! : right[node]!;
        f = feature[node]!;
      }
      margin[r]! += value[node]!;
    }
  }

  private addNode(depth: number, start: number, end: number, grad: number, hess: number): GrowNode {
    const node: GrowNode = { id: this.nodes.length, depth, start, end, grad, hess, slot: -1, split: null };
    this.nodes.push(node);
    const t = this.tree;
    t.feature.push(-1);
    t.threshold.push(0);
    t.defaultLeft.push(0);
    t.left.push(-1);
    t.right.push(-1);
    t.value.push(leafWeight(grad, hess, this.params.lambda) * this.params.learningRate);
    t.cover.push(hess);
    t.gain.push(0);
    t.bin.push(0);
    return node;
  }

  /** Whether a node may still split: depth and leaf limits, and room for two children of `minChildWeight`. */
  private splittable(node: GrowNode, leaves: number): boolean {
    const p = this.params;
    return (
      (p.maxDepth === 0 || node.depth < p.maxDepth) &&
      (p.maxLeaves === 0 || leaves < p.maxLeaves) &&
      node.end - node.start >= 2 &&
      node.hess > 0 &&
      node.hess >= 2 * p.minChildWeight
    );
  }

  /** Finds the node's best split from its histogram; false when no split gains enough. */
  private evaluate(node: GrowNode, nActive: number): boolean {
    const best = emptyCandidate();
    const { histOffset, nBins } = this.binned;
    findBestSplit(this.context.slots[node.slot]!, this.context.features, 0, nActive, histOffset, nBins, node.grad, node.hess, this.params, best);
    if (!(best.gain > this.params.gamma && best.gain > MIN_GAIN)) return false;
    node.split = best;
    return true;
  }

  /** Partitions the node's rows, records the split and returns the two children. */
  private splitNode(node: GrowNode): [GrowNode, GrowNode] {
    const split = node.split!;
    const { bins, nRows, nBins, cuts } = this.binned;
    const f = split.feature;
    const mid = partitionRows(this.context.rows, this.scratch, node.start, node.end, bins, f * nRows, split.bin, nBins[f]!, split.defaultLeft);
    const left = this.addNode(node.depth + 1, node.start, mid, split.gradLeft, split.hessLeft);
    const right = this.addNode(node.depth + 1, mid, node.end, split.gradRight, split.hessRight);
    const t = this.tree;
    t.feature[node.id] = f;
    t.threshold[node.id] = split.bin < 0 ? LOWEST_FLOAT32 : cuts[f]![split.bin]!;
    t.defaultLeft[node.id] = split.defaultLeft ? 1 : 0;
    t.left[node.id] = left.id;
    t.right[node.id] = right.id;
    t.value[node.id] = 0;
    t.gain[node.id] = split.gain;
    t.bin[node.id] = split.bin;
    return [left, right];
  }

  /** Copies the gradient pairs of `rows[start .. end)` into `context.ordered` and returns their sums. */
  private gather(gh: Float64Array, start: number, end: number): [number, number] {
    const { rows, ordered } = this.context;
    let grad = 0;
    let hess = 0;
    for (let i = start; i < end; i++) {
      const r = rows[i]!;
      const g = gh[2 * r]!;
      const h = gh[2 * r + 1]!;
      ordered[2 * i] = g;
      ordered[2 * i + 1] = h;
      grad += g;
      hess += h;
    }
    return [grad, hess];
  }

  private addTask(kind: number, slot: number, start: number, end: number, other: number): void {
    const at = this.nTasks++ * TASK_FIELDS;
    const tasks = this.context.tasks;
    tasks[at] = kind;
    tasks[at + 1] = slot;
    tasks[at + 2] = start;
    tasks[at + 3] = end;
    tasks[at + 4] = other;
  }

  private flush(nActive: number): void {
    if (this.nTasks === 0) return;
    this.threads.run(this.nTasks, nActive);
    this.nTasks = 0;
  }

  private allocSlot(): number {
    const free = this.freeSlots.pop();
    if (free !== undefined) return free;
    const id = this.nSlots++;
    this.threads.addSlot(id, new Float64Array(new SharedArrayBuffer(this.binned.histBins * 16)));
    return id;
  }

  private releaseSlot(node: GrowNode): void {
    if (node.slot >= 0) this.freeSlots.push(node.slot);
    node.slot = -1;
  }

  private finishTree(): Tree {
    const t = this.tree;
    return {
      feature: Int32Array.from(t.feature),
      threshold: Float32Array.from(t.threshold),
      defaultLeft: Uint8Array.from(t.defaultLeft),
      left: Int32Array.from(t.left),
      right: Int32Array.from(t.right),
      value: Float64Array.from(t.value),
      cover: Float64Array.from(t.cover),
      gain: Float64Array.from(t.gain),
    };
  }
}
