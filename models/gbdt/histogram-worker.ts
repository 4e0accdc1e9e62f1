/**
 * Worker thread of {@link HistogramThreads}: waits on the shared control block, runs its share of the features of
 * each batch of histogram tasks, and reports completion the same way. It never returns to its event loop while
 * training; slot announcements are read synchronously from its port.
 */
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { runHistogramTasks, type HistogramContext } from './histogram';
import { CTRL, shareStart, type HistogramWorkerData, type SlotMessage } from './histogram-threads';

const data = workerData as HistogramWorkerData;
const { ctrl, port, threadIndex, nThreads } = data;
const context: HistogramContext = { ...data.context, slots: [] };

parentPort?.postMessage('ready');

let seen = 0;
for (;;) {
  Atomics.wait(ctrl, CTRL.seq, seen);
  seen = Atomics.load(ctrl, CTRL.seq);
  if (Atomics.load(ctrl, CTRL.stop)) break;
  for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) {
    const { id, slot } = m.message as SlotMessage;
    context.slots[id] = slot;
  }
  try {
    const nActive = ctrl[CTRL.nActive]!;
    runHistogramTasks(context, ctrl[CTRL.nTasks]!, shareStart(nActive, threadIndex, nThreads), shareStart(nActive, threadIndex + 1, nThreads));
  } catch (err) {
    Atomics.store(ctrl, CTRL.failed, 1);
    port.postMessage({ error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  }
  Atomics.add(ctrl, CTRL.done, 1);
  Atomics.notify(ctrl, CTRL.done);
}
port.close();
