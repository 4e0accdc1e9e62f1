import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { workerEntry } from '../../core/runtime';
import { BIN_BLOCK, binBlock, createBinScratch, type BinScratch } from './binning';
import { logisticGradients } from './gradients';
import { histogramUnits, runHistogramUnit } from './histogram';
import { SharingPolicy } from './sharing-policy';
import { fillSparseColumns, type SparseColumns } from './sparse-columns';
import { cutPartitionUnits, placePartitionUnits, scanPartitionUnit, writePartitionUnit } from './partition';
import {
  JOB_BIN,
  JOB_GRADIENTS,
  JOB_HISTOGRAMS,
  JOB_PARTITION_SCAN,
  JOB_PARTITION_WRITE,
  JOB_SPARSE,
  ROW_CHUNK,
  type ThreadContext,
  type ThreadLocalKeys,
} from './thread-context';

/** Indices into the shared control block. */
export const CTRL = {
  /** Bumped by the main thread to publish a job (workers wait on it). */
  seq: 0,
  /**
   * Next unit to claim, tagged with the job: `(seq & 0x7fff) << 16 | unit`. A thread claims with compare-and-swap, so
   * a thread still holding an older job's value can never take a unit of the new one. `-1` while a job is set up.
   */
  claim: 1,
  /** Units of the current job. */
  nUnits: 2,
  /** Units finished (the main thread waits on it). */
  unitsDone: 3,
  /** Set when a unit threw in a worker; the message follows on the worker's port. */
  failed: 4,
  /** Set to make workers exit. */
  stop: 5,
  /** One of the `JOB_…` kinds. */
  job: 6,
  /** Tasks of a histogram job. */
  nTasks: 7,
  /** Active features of a histogram job. */
  nActive: 8,
} as const;
const CTRL_SIZE = 9;
const NO_CLAIM = -1;

/** What a worker receives at start-up. */
export interface TrainingWorkerData {
  ctrl: Int32Array;
  port: MessagePort;
  context: Omit<ThreadContext, ThreadLocalKeys>;
}

/** What workers receive on their port: a new histogram slot, or the sparse feature lists once binning is done. */
export type WorkerMessage = { id: number; slot: Float64Array } | { sparse: SparseColumns };

/** A thread's memory for binning, made on its first block. */
interface BinningState {
  scratch?: BinScratch;
}

function runUnit(ctx: ThreadContext, ctrl: Int32Array, job: number, seq: number, unit: number, binning: BinningState): void {
  switch (job) {
    case JOB_BIN:
      binning.scratch ??= createBinScratch(ctx.nRows);
      binBlock(ctx.X!, ctx.nRows, ctx.nFeatures, unit, ctx.maxBins, ctx, binning.scratch);
      break;
    case JOB_HISTOGRAMS:
      runHistogramUnit(ctx, ctrl[CTRL.nTasks]!, ctrl[CTRL.nActive]!, unit, seq);
      break;
    case JOB_GRADIENTS:
      logisticGradients(ctx.expNegMargin, ctx.labels, ctx.weight, ctx.gh, unit * ROW_CHUNK, Math.min(ctx.nRows, (unit + 1) * ROW_CHUNK));
      break;
    case JOB_PARTITION_SCAN:
      scanPartitionUnit(ctx, unit);
      break;
    case JOB_PARTITION_WRITE:
      writePartitionUnit(ctx, unit);
      break;
    case JOB_SPARSE:
      fillSparseColumns(ctx.sparse!, ctx.bins, ctx.nRows, unit * BIN_BLOCK, Math.min(BIN_BLOCK, ctx.nFeatures - unit * BIN_BLOCK));
      break;
  }
}

/**
 * Claims and runs units of the job published as `seq` until none is left (or another job replaced it), and returns
 * how many it ran. Used by the main thread and the workers alike. A unit that throws still counts as done, so nobody
 * waits for it; the error goes to `onError`.
 */
export function claimUnits(ctx: ThreadContext, ctrl: Int32Array, seq: number, onError: (err: unknown) => void): number {
  const tag = (seq & 0x7fff) << 16;
  const job = ctrl[CTRL.job]!;
  // Binning needs the matrix; a worker without it in shared memory leaves the blocks to the main thread.
  if (job === JOB_BIN && !ctx.X) return 0;
  const binning: BinningState = {};
  let ran = 0;
  for (;;) {
    const claim = Atomics.load(ctrl, CTRL.claim);
    if ((claim & ~0xffff) !== tag || (claim & 0xffff) >= Atomics.load(ctrl, CTRL.nUnits)) return ran;
    if (Atomics.compareExchange(ctrl, CTRL.claim, claim, claim + 1) !== claim) continue;
    ran++;
    try {
      runUnit(ctx, ctrl, job, seq, claim & 0xffff, binning);
    } catch (err) {
      onError(err);
    } finally {
      if (Atomics.add(ctrl, CTRL.unitsDone, 1) + 1 === Atomics.load(ctrl, CTRL.nUnits)) Atomics.notify(ctrl, CTRL.unitsDone);
    }
  }
}

/**
 * How long a thread polls shared memory before it sleeps on `Atomics.wait`. Waking a sleeping thread takes tens of
 * microseconds, as long as a whole job of a small table or deep level: a worker that slept between jobs found the
 * main thread done before it woke. Polling this long covers the main thread's work between two jobs of a round.
 */
export const SPIN_MS = 0.2;

/**
 * Polls `ctrl[index]` while it equals `value`, for at most {@link SPIN_MS}; returns whether it changed (the caller
 * then need not sleep).
 */
export function spinWhileEqual(ctrl: Int32Array, index: number, value: number): boolean {
  const until = performance.now() + SPIN_MS;
  for (;;) {
    for (let k = 0; k < 256; k++) if (Atomics.load(ctrl, index) !== value) return true;
    if (performance.now() > until) return false;
  }
}

/** A job without progress for this long has a dead worker holding a unit: fail instead of waiting forever. */
const STALL_MS = 5 * 60_000;

/**
 * The parallel parts of training, on the calling thread plus `nThreads - 1` workers: binning, histogram tasks,
 * gradients and partitions. Jobs are published through `Atomics` on shared memory rather than messages (a job costs
 * microseconds to hand over) and cut into units that every thread, the calling one included, claims until none is
 * left: a worker that is slow to wake or busy simply takes fewer units; and when sharing costs more than it saves
 * (a worker descheduled while it holds a unit), jobs stay on the calling thread for a while (see {@link SharingPolicy}). New histogram slots and the sparse feature lists reach workers on a MessagePort that they drain synchronously
 * (`receiveMessageOnPort`) before each job. With one thread no worker is started.
 */
export class TrainingThreads {
  /** Resolves once every worker has loaded its code; rejects when one fails to start. */
  readonly ready: Promise<void>;
  private seq = 0;
  private error: unknown;
  private readonly policy = new SharingPolicy();

  private constructor(
    private readonly context: ThreadContext,
    private readonly ctrl: Int32Array,
    private readonly workers: Worker[],
    private readonly ports: MessagePort[],
    ready: Promise<void>[],
  ) {
    this.ready = Promise.all(ready).then(() => {
      for (const worker of workers) worker.removeAllListeners();
    });
    // Failures are reported where `ready` is awaited; this only keeps Node from calling them unhandled meanwhile.
    this.ready.catch(() => undefined);
  }

  /**
   * Starts the workers (they load while the caller goes on). Workers load the code the way this process did:
   * compiled from dist/, or the TypeScript through tsx (loaded explicitly, so this works under Jest's swc too).
   */
  static create(context: ThreadContext, nThreads: number): TrainingThreads {
    const ctrl = new Int32Array(new SharedArrayBuffer(CTRL_SIZE * 4));
    ctrl[CTRL.claim] = NO_CLAIM;
    const workers: Worker[] = [];
    const ports: MessagePort[] = [];
    const ready: Promise<void>[] = [];
    const { slots: _slots, ordered: _ordered, gatheredIn: _gatheredIn, sparse: _sparse, X, ...rest } = context;
    // A matrix outside shared memory would be copied into every worker: they do without it.
    const shared = { ...rest, X: X?.buffer instanceof SharedArrayBuffer ? X : null };
    const entry = workerEntry('models/gbdt/training-worker');
    for (let thread = 1; thread < nThreads; thread++) {
      const channel = new MessageChannel();
      const workerData: TrainingWorkerData = { ctrl, port: channel.port2, context: shared };
      const worker = new Worker(entry, { eval: true, workerData, transferList: [channel.port2] });
      ready.push(
        new Promise<void>((resolve, reject) => {
          worker.once('message', () => resolve());
          worker.once('error', reject);
          worker.once('exit', (code) => reject(new Error(`training worker exited with code ${code} before it was ready`)));
        }),
      );
      workers.push(worker);
      ports.push(channel.port1);
    }
    return new TrainingThreads(context, ctrl, workers, ports, ready);
  }

  /** Threads including the calling one. */
  get nThreads(): number {
    return this.workers.length + 1;
  }

  /**
   * Bins the training matrix into the context's bin storage. The calling thread starts at once; workers join this
   * job or a later one as soon as they have loaded (nobody waits for them: on a busy machine a worker can take
   * longer to load than a small table takes to train), so their start-up time is not lost.
   */
  bin(): void {
    this.run(JOB_BIN, Math.ceil(this.context.nFeatures / BIN_BLOCK));
  }

  /** Makes a histogram slot known to every thread; call before the first job that uses it. */
  addSlot(id: number, slot: Float64Array): void {
    this.context.slots[id] = slot;
    this.post({ id, slot });
  }

  /** Makes the sparse feature lists (allocated, not filled) known to every thread and fills them on all threads. */
  fillSparse(sparse: SparseColumns): void {
    this.context.sparse = sparse;
    this.post({ sparse });
    this.run(JOB_SPARSE, Math.ceil(this.context.nFeatures / BIN_BLOCK));
  }

  private post(message: WorkerMessage): void {
    for (const port of this.ports) port.postMessage(message);
  }

  /** Runs histogram tasks `0 .. nTasks - 1` over features `features[0 .. nActive)`. */
  runHistograms(nTasks: number, nActive: number): void {
    this.ctrl[CTRL.nTasks] = nTasks;
    this.ctrl[CTRL.nActive] = nActive;
    this.run(JOB_HISTOGRAMS, histogramUnits(nActive));
  }

  /** Computes the gradient pairs of all rows from the current margins. */
  runGradients(): void {
    this.run(JOB_GRADIENTS, Math.ceil(this.context.nRows / ROW_CHUNK));
  }

  /** Partitions the segments of partition records `0 .. nParts - 1`; returns where each right side starts. */
  runPartitions(nParts: number): Int32Array {
    const nUnits = cutPartitionUnits(this.context, nParts, ROW_CHUNK);
    this.run(JOB_PARTITION_SCAN, nUnits);
    const mids = placePartitionUnits(this.context, nParts, nUnits);
    this.run(JOB_PARTITION_WRITE, nUnits);
    return mids;
  }

  /** Stops the workers. */
  async close(): Promise<void> {
    Atomics.store(this.ctrl, CTRL.stop, 1);
    Atomics.add(this.ctrl, CTRL.seq, 1);
    Atomics.notify(this.ctrl, CTRL.seq);
    for (const port of this.ports) port.close();
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  /** Rounds whose jobs were shared with the workers. */
  sharedRounds = 0;

  /** Called after every boosting round (see {@link SharingPolicy}). */
  endRound(): void {
    if (this.workers.length && this.policy.sharing) this.sharedRounds++;
    this.policy.endRound();
  }

  /** Publishes a job, takes units of it until none is left, then waits for the units other threads took. */
  private run(job: number, nUnits: number): void {
    const ctrl = this.ctrl;
    const seq = ++this.seq;
    const shared = this.workers.length > 0 && this.policy.sharing;
    // Close the previous job's claims before changing its parameters (see CTRL.claim).
    Atomics.store(ctrl, CTRL.claim, NO_CLAIM);
    ctrl[CTRL.job] = job;
    ctrl[CTRL.nUnits] = nUnits;
    Atomics.store(ctrl, CTRL.unitsDone, 0);
    Atomics.store(ctrl, CTRL.claim, (seq & 0x7fff) << 16);
    if (shared) {
      Atomics.store(ctrl, CTRL.seq, seq);
      Atomics.notify(ctrl, CTRL.seq);
    }
    const started = performance.now();
    const mine = claimUnits(this.context, ctrl, seq, (err) => (this.error ??= err));
    const working = performance.now() - started;
    let done: number;
    while ((done = Atomics.load(ctrl, CTRL.unitsDone)) < nUnits) {
      if (spinWhileEqual(ctrl, CTRL.unitsDone, done)) continue;
      if (Atomics.wait(ctrl, CTRL.unitsDone, done, STALL_MS) === 'timed-out' && Atomics.load(ctrl, CTRL.unitsDone) === done) {
        throw new Error(`training workers made no progress for ${STALL_MS / 1000} s`);
      }
    }
    // This thread's time per unit × all units: what the job would have taken without the workers. Binning and
    // the sparse lists run while workers are still starting, so they say nothing about them.
    if (shared && mine > 0 && job !== JOB_BIN && job !== JOB_SPARSE) this.policy.recordJob(performance.now() - started, (working * nUnits) / mine);
    if (this.error !== undefined) throw this.error;
    if (Atomics.load(ctrl, CTRL.failed)) {
      const reasons = this.ports.map((p) => receiveMessageOnPort(p)?.message as { error?: string } | undefined);
      throw new Error(`training worker failed: ${reasons.find((r) => r?.error)?.error ?? 'unknown error'}`);
    }
  }
}
