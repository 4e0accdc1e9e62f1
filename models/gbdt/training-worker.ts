/**
 * Worker thread of {@link TrainingThreads}: waits for a job on the shared control block and claims units of it until
 * none is left. It never returns to its event loop while training; slot and sparse-list announcements are read
 * synchronously from its port.
 */
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { MAX_TASKS } from './histogram';
import type { ThreadContext } from './thread-context';
import { CTRL, claimUnits, spinWhileEqual, type WorkerMessage, type TrainingWorkerData } from './training-threads';

const data = workerData as TrainingWorkerData;
const { ctrl, port } = data;
const context: ThreadContext = {
  ...data.context,
  ordered: new Float64Array(2 * data.context.nRows),
  gatheredIn: new Int32Array(MAX_TASKS),
  slots: [],
  sparse: null,
};

parentPort?.postMessage('ready');

const reportError = (err: unknown): void => {
  Atomics.store(ctrl, CTRL.failed, 1);
  port.postMessage({ error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
};

let seen = 0;
for (;;) {
  if (!spinWhileEqual(ctrl, CTRL.seq, seen)) Atomics.wait(ctrl, CTRL.seq, seen);
  seen = Atomics.load(ctrl, CTRL.seq);
  if (Atomics.load(ctrl, CTRL.stop)) break;
  for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) {
    const message = m.message as WorkerMessage;
    if ('sparse' in message) context.sparse = message.sparse;
    else context.slots[message.id] = message.slot;
  }
  claimUnits(context, ctrl, seen, reportError);
}
port.close();
