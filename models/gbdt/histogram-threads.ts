import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { join } from 'node:path';
import { runHistogramTasks, type HistogramContext } from './histogram';

/** Indices into the shared control block. */
export const CTRL = {
  /** Bumped by the main thread to start a batch (workers wait on it). */
  seq: 0,
  /** Workers that finished the current batch (the main thread waits on it). */
  done: 1,
  /** Set by a worker whose batch threw; the message follows on its port. */
  failed: 2,
  /** Tasks in the current batch. */
  nTasks: 3,
  /** Active features in the current batch (shared out by index). */
  nActive: 4,
  /** Set to make workers exit. */
  stop: 5,
} as const;
const CTRL_SIZE = 6;

/** What a worker receives at start-up (SharedArrayBuffer-backed arrays are shared, the rest copied). */
export interface HistogramWorkerData {
  threadIndex: number;
  nThreads: number;
  ctrl: Int32Array;
  port: MessagePort;
  context: Omit<HistogramContext, 'slots'>;
}

/** A histogram slot announced to workers on their port. */
export interface SlotMessage {
  id: number;
  slot: Float64Array;
}

/** First half of thread `t`'s share of `n` items split over `nThreads`: `[start(t), start(t + 1))`. */
export function shareStart(n: number, t: number, nThreads: number): number {
  return Math.floor((n * t) / nThreads);
}

/** A worker gets no progress for this long only when it died: fail instead of waiting forever. */
const STALL_MS = 5 * 60_000;

/**
 * Runs histogram tasks on the calling thread plus `nThreads - 1` worker threads, each taking a contiguous share of
 * the active features. Batches are handed over through `Atomics.wait`/`notify` on shared memory rather than
 * messages, so a depth level costs microseconds of synchronisation; new histogram slots reach workers on a
 * MessagePort that they drain synchronously (`receiveMessageOnPort`) before each batch.
 */
export class HistogramThreads {
  private constructor(
    private readonly context: HistogramContext,
    private readonly ctrl: Int32Array,
    private readonly workers: Worker[],
    private readonly ports: MessagePort[],
  ) {}

  /**
   * Starts the workers and resolves once each has loaded its code. Workers run TypeScript through tsx, loaded
   * explicitly so that this works under the `vigil` command (tsx), under Jest (swc) and anywhere else.
   */
  static async start(context: HistogramContext, nThreads: number): Promise<HistogramThreads> {
    const ctrl = new Int32Array(new SharedArrayBuffer(CTRL_SIZE * 4));
    const workers: Worker[] = [];
    const ports: MessagePort[] = [];
    const { slots: _slots, ...shared } = context;
    const entry = `require(${JSON.stringify(require.resolve('tsx/cjs'))}); require(${JSON.stringify(join(__dirname, 'histogram-worker.ts'))});`;
    const ready: Promise<void>[] = [];
    for (let t = 1; t < nThreads; t++) {
      const channel = new MessageChannel();
      const workerData: HistogramWorkerData = { threadIndex: t, nThreads, ctrl, port: channel.port2, context: shared };
      const worker = new Worker(entry, { eval: true, workerData, transferList: [channel.port2] });
      ready.push(
        new Promise<void>((resolve, reject) => {
          worker.once('message', () => resolve());
          worker.once('error', reject);
          worker.once('exit', (code) => reject(new Error(`histogram worker exited with code ${code} before it was ready`)));
        }),
      );
      workers.push(worker);
      ports.push(channel.port1);
    }
    const threads = new HistogramThreads(context, ctrl, workers, ports);
    try {
      await Promise.all(ready);
    } catch (err) {
      await threads.close();
      throw err;
    }
    for (const worker of workers) worker.removeAllListeners();
    return threads;
  }

  /** Threads including the calling one. */
  get nThreads(): number {
    return this.workers.length + 1;
  }

  /** Makes a histogram slot known to every thread; call before the first batch that uses it. */
  addSlot(id: number, slot: Float64Array): void {
    this.context.slots[id] = slot;
    const message: SlotMessage = { id, slot };
    for (const port of this.ports) port.postMessage(message);
  }

  /** Runs tasks `0 .. nTasks - 1` of `context.tasks` over features `0 .. nActive - 1`; returns when all are done. */
  run(nTasks: number, nActive: number): void {
    const nThreads = this.nThreads;
    if (nThreads === 1) {
      runHistogramTasks(this.context, nTasks, 0, nActive);
      return;
    }
    const ctrl = this.ctrl;
    ctrl[CTRL.nTasks] = nTasks;
    ctrl[CTRL.nActive] = nActive;
    Atomics.store(ctrl, CTRL.done, 0);
    Atomics.add(ctrl, CTRL.seq, 1);
    Atomics.notify(ctrl, CTRL.seq);
    runHistogramTasks(this.context, nTasks, 0, shareStart(nActive, 1, nThreads));
    const workers = this.workers.length;
    let done: number;
    while ((done = Atomics.load(ctrl, CTRL.done)) < workers) {
      if (Atomics.wait(ctrl, CTRL.done, done, STALL_MS) === 'timed-out' && Atomics.load(ctrl, CTRL.done) === done) {
        throw new Error(`histogram workers made no progress for ${STALL_MS / 1000} s`);
      }
    }
    if (Atomics.load(ctrl, CTRL.failed)) {
      const reasons = this.ports.map((p) => receiveMessageOnPort(p)?.message as { error?: string } | undefined);
      throw new Error(`histogram worker failed: ${reasons.find((r) => r?.error)?.error ?? 'unknown error'}`);
    }
  }

  /** Stops the workers. */
  async close(): Promise<void> {
    Atomics.store(this.ctrl, CTRL.stop, 1);
    Atomics.add(this.ctrl, CTRL.seq, 1);
    Atomics.notify(this.ctrl, CTRL.seq);
    for (const port of this.ports) port.close();
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
