import type { BinnedMatrix } from './binning';
import { addToMargin } from './gradients';
import { MAX_TASKS, TASK_BUILD, TASK_FIELDS, TASK_SPLIT, TASK_SUBTRACT, histogramUnits, splitResultAt } from './histogram';
import type { GrowPolicy } from './options';
import { MAX_PARTITIONS, PARTITION_FIELDS } from './partition';
import { MIN_GAIN, leafWeight, type SplitCandidate, type SplitParams } from './split';
import type { ThreadContext } from './thread-context';
import type { TrainingThreads } from './training-threads';
import { treeFromArrays, type Tree } from './tree';

/** Options that shape one tree (see `GbdtOptions`). */
export interface GrowParams extends SplitParams {
  learningRate: number;
  maxDepth: number;
  maxLeaves: number;
  growPolicy: GrowPolicy;
}

/** Threshold of a "missing vs present" split: no float32 value is below it, so every present value goes right. */
const LOWEST_FLOAT32 = -3.4028234663852886e38;

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

/** The tree under construction, as growable arrays (see `Tree`), plus the bin of each split for binned routing. */
interface TreeArrays {
  feature: number[];
  threshold: number[];
  defaultLeft: number[];
  left: number[];
  right: number[];
  value: number[];
  cover: number[];
  gain: number[];
  bin: number[];
}

function emptyTree(): TreeArrays {
  return { feature: [], threshold: [], defaultLeft: [], left: [], right: [], value: [], cover: [], gain: [], bin: [] };
}

/**
 * Grows one tree at a time on binned data, reusing every buffer across trees. Rows of a node sit in one segment of
 * `context.rows`; splitting a node partitions its segment in place. Per split only the smaller child's histogram is
 * built from rows; the larger child's is the parent's minus it (the "histogram subtraction trick", LightGBM, Ke et
 * al. 2017), written over the parent's slot. Builds, subtractions and split searches of a whole batch of nodes (a
 * depth level, or one leaf under lossguide) go to the threads as one job.
 */
export class TreeGrower {
  private readonly freeSlots: number[] = [];
  /** Slots to free once the pending job has run. */
  private readonly afterJob: number[] = [];
  /** Nodes whose split search is in the pending job, in task order after the builds. */
  private readonly searching: GrowNode[] = [];
  private nSlots = 0;
  private nTasks = 0;
  private nodes: GrowNode[] = [];
  private tree: TreeArrays = emptyTree();

  constructor(
    private readonly binned: BinnedMatrix,
    private readonly context: ThreadContext,
    private readonly threads: TrainingThreads,
    private readonly params: GrowParams,
  ) {}

  /** Grows a tree on the rows `context.rows[0 .. nSampled)` and features `context.features[0 .. nActive)`. */
  grow(nSampled: number, nActive: number): Tree {
    this.nodes = [];
    this.tree = emptyTree();
    const { rows, gh } = this.context;
    let grad = 0;
    let hess = 0;
    for (let i = 0; i < nSampled; i++) {
      grad += gh[2 * rows[i]!]!;
      hess += gh[2 * rows[i]! + 1]!;
    }
    const root = this.addNode(0, 0, nSampled, grad, hess);
    let leaves = 1;
    let open: GrowNode[] = [];
    if (this.splittable(root, leaves)) {
      root.slot = this.allocSlot();
      // Without row sampling the root's rows are 0 .. nRows - 1 in order (see `sampleRows`).
      this.addBuild(root, nSampled === this.binned.nRows ? 1 : 0);
      this.searching.push(root);
      this.runJob(nActive, open);
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
      const children = this.splitNodes(batch);
      batch.forEach((node, k) => {
        const left = children[2 * k]!;
        const right = children[2 * k + 1]!;
        leaves++;
        const needLeft = this.splittable(left, leaves);
        const needRight = this.splittable(right, leaves);
        if (!needLeft && !needRight) {
          this.releaseSlot(node);
          return;
        }
        // A parent adds at most 4 tasks; its builds and the searches reading them must share a job.
        if (this.nTasks + this.searching.length + 4 > MAX_TASKS) this.runJob(nActive, open);
        const smallIsLeft = left.end - left.start <= right.end - right.start;
        const [small, large] = smallIsLeft ? [left, right] : [right, left];
        small.slot = this.allocSlot();
        this.addBuild(small, 0);
        if (smallIsLeft ? needRight : needLeft) {
          large.slot = node.slot;
          this.addTask(TASK_SUBTRACT, large.slot, 0, 0, small.slot);
        } else {
          this.afterJob.push(node.slot);
        }
        node.slot = -1;
        if (!(smallIsLeft ? needLeft : needRight)) {
          this.afterJob.push(small.slot);
          small.slot = -1;
        }
        if (needLeft) this.searching.push(left);
        if (needRight) this.searching.push(right);
      });
      this.runJob(nActive, open);
      if (this.params.maxLeaves > 0 && leaves >= this.params.maxLeaves) {
        for (const node of open) this.releaseSlot(node);
        open = [];
      }
    }
    return this.finishTree();
  }

  /** Adds the last tree's leaf values to the margins of its rows, read straight from the leaves' row segments. */
  addLeafValues(): void {
    const { rows, margin, expNegMargin } = this.context;
    for (const node of this.nodes) {
      if (this.tree.feature[node.id]! >= 0) continue;
      const value = this.tree.value[node.id]!;
      const factor = Math.exp(-value);
      for (let i = node.start; i < node.end; i++) addToMargin(margin, expNegMargin, rows[i]!, value, factor);
    }
  }

  /** Adds the last tree's values for every training row, routing rows by their bins (rows not drawn for the tree too). */
  addBinnedPredictions(): void {
    const { bins, nRows, nBins } = this.binned;
    const { margin, expNegMargin } = this.context;
    const { feature, bin, defaultLeft, left, right, value } = this.tree;
    const factors = value.map((v) => Math.exp(-v));
    for (let r = 0; r < nRows; r++) {
      let node = 0;
      let f = feature[0]!;
      while (f >= 0) {
        const b = bins[f * nRows + r]!;
        node = (b === nBins[f] ? defaultLeft[node] === 1 : b <= bin[node]!) ? left[node]! : right[node]!;
        f = feature[node]!;
      }
      addToMargin(margin, expNegMargin, r, value[node]!, factors[node]!);
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

  /**
   * Adds the split searches of the nodes in `searching`, runs the job, and moves each node with a worthwhile split
   * to `open`. Each unit reports the best split among its block of features; taking the first strictly better one
   * in unit order equals one search over all features in order.
   */
  private runJob(nActive: number, open: GrowNode[]): void {
    const { taskValues, splits } = this.context;
    const first = this.nTasks;
    for (const node of this.searching) {
      taskValues[2 * this.nTasks] = node.grad;
      taskValues[2 * this.nTasks + 1] = node.hess;
      this.addTask(TASK_SPLIT, node.slot, 0, 0, -1);
    }
    if (this.nTasks > 0) this.threads.runHistograms(this.nTasks, nActive);
    const nUnits = histogramUnits(nActive);
    const nFeatures = this.binned.nFeatures;
    this.searching.forEach((node, k) => {
      let best = -1;
      for (let unit = 0; unit < nUnits; unit++) {
        const at = splitResultAt(first + k, unit, nFeatures);
        if (best < 0 || splits[at]! > splits[best]!) best = at;
      }
      const gain = splits[best]!;
      if (!(gain > this.params.gamma && gain > MIN_GAIN)) {
        this.releaseSlot(node);
        return;
      }
      node.split = {
        gain,
        feature: splits[best + 1]!,
        bin: splits[best + 2]!,
        defaultLeft: splits[best + 3] === 1,
        gradLeft: splits[best + 4]!,
        hessLeft: splits[best + 5]!,
        gradRight: splits[best + 6]!,
        hessRight: splits[best + 7]!,
      };
      open.push(node);
    });
    this.searching.length = 0;
    this.nTasks = 0;
    for (const slot of this.afterJob) this.freeSlots.push(slot);
    this.afterJob.length = 0;
  }

  /**
   * Partitions the rows of every node of the batch (on all threads), records the splits and returns the children,
   * left and right of each node in batch order.
   */
  private splitNodes(batch: GrowNode[]): GrowNode[] {
    const { nRows, nBins, cuts } = this.binned;
    const { partitions } = this.context;
    const children: GrowNode[] = [];
    for (let first = 0; first < batch.length; first += MAX_PARTITIONS) {
      const part = batch.slice(first, first + MAX_PARTITIONS);
      part.forEach((node, k) => {
        const split = node.split!;
        const f = split.feature;
        partitions.set([node.start, node.end, f * nRows, split.bin, nBins[f]!, split.defaultLeft ? 1 : 0], k * PARTITION_FIELDS);
      });
      const mids = this.threads.runPartitions(part.length);
      part.forEach((node, k) => {
        const split = node.split!;
        const f = split.feature;
        const left = this.addNode(node.depth + 1, node.start, mids[k]!, split.gradLeft, split.hessLeft);
        const right = this.addNode(node.depth + 1, mids[k]!, node.end, split.gradRight, split.hessRight);
        const t = this.tree;
        t.feature[node.id] = f;
        t.threshold[node.id] = split.bin < 0 ? LOWEST_FLOAT32 : cuts[f]![split.bin]!;
        t.defaultLeft[node.id] = split.defaultLeft ? 1 : 0;
        t.left[node.id] = left.id;
        t.right[node.id] = right.id;
        t.value[node.id] = 0;
        t.gain[node.id] = split.gain;
        t.bin[node.id] = split.bin;
        children.push(left, right);
      });
    }
    return children;
  }

  /** A build of the node's histogram into its slot; the node's sums go with it (see TASK_BUILD). */
  private addBuild(node: GrowNode, identity: number): void {
    const { taskValues } = this.context;
    taskValues[2 * this.nTasks] = node.grad;
    taskValues[2 * this.nTasks + 1] = node.hess;
    this.addTask(TASK_BUILD, node.slot, node.start, node.end, identity);
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
    return treeFromArrays(this.tree);
  }
}
