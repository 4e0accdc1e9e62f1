import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import type { KeepAliveConnections } from './keep-alive-connections';

export interface PacedLoadOptions {
  path: string;
  headers: Record<string, string>;
  /** A new request body for each request. */
  body: () => string;
  ratePerSecond: number;
  seconds: number;
  /**
   * The server's connections: a request that finds them all busy waits for one, and that wait counts in its latency.
   * A warm-up run and the measured run share them, so the measured one starts on open connections, as a calling
   * service's are.
   */
  connections: KeepAliveConnections;
}

export interface PacedLoadResult {
  requestsPerSecond: number;
  responses: number;
  non2xx: number;
  errors: number;
  /** Answers without a model score (the fail mode). */
  failModeAnswers: number;
  /** Per request, from the moment it was due to its response's end, ms. */
  latencies: number[];
}

/**
 * An open-loop load at an even rate: request i is due at i / rate seconds and is sent then, whether or not earlier
 * ones have been answered. Its latency runs from when it was due, so a slow server cannot hide its queue by slowing
 * the sender down. The due times come from a worker thread ({@link dueTicks}); requests that fell due while this
 * thread was busy go together.
 *
 * autocannon's `overallRate` is no such load: each connection sends its quota for the second back to back at the
 * start of each second, then pauses (lib/httpClient.js, `reqsMadeThisSecond`), so its latencies at "1,000 requests/s"
 * are those of bursts at full speed.
 */
export async function pacedLoad(o: PacedLoadOptions): Promise<PacedLoadResult> {
  const result: PacedLoadResult = { requestsPerSecond: 0, responses: 0, non2xx: 0, errors: 0, failModeAnswers: 0, latencies: [] };
  const inFlight = new Set<Promise<void>>();
  const head = `POST ${o.path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${Object.entries(o.headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}`;
  const total = Math.round(o.ratePerSecond * o.seconds);
  const intervalMs = 1000 / o.ratePerSecond;
  let sent = 0;
  const began = await dueTicks(intervalMs, total, (due, firstDue) => {
    for (; sent < due; sent++) {
      const dueAt = firstDue + sent * intervalMs;
      const p = o.connections.request(head, o.body()).then(
        (answer) => {
          result.latencies.push(performance.now() - dueAt);
          result.responses++;
          if (answer.status < 200 || answer.status >= 300) result.non2xx++;
          else if (answer.body.includes('"score":null')) result.failModeAnswers++;
        },
        () => {
          result.errors++;
        },
      );
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
    }
  });
  await Promise.all(inFlight);
  result.requestsPerSecond = Math.round(result.responses / ((performance.now() - began) / 1000));
  return result;
}

/** The worker of {@link dueTicks}. */
const TICKER = `
const { parentPort } = require('node:worker_threads');
const { performance } = require('node:perf_hooks');
const cell = new Int32Array(new SharedArrayBuffer(4));
parentPort.once('message', ({ beganAt, intervalMs, total }) => {
  for (let i = 1; i <= total; i++) {
    const wait = beganAt + (i - 1) * intervalMs - (performance.timeOrigin + performance.now());
    if (wait > 0) Atomics.wait(cell, 0, 0, wait);
    parentPort.postMessage(i);
  }
  parentPort.close();
});
parentPort.postMessage(0);
`;

/**
 * Sleeps in a worker thread until each due time (`Atomics.wait`, to a fraction of a millisecond) and posts how many
 * requests are due by then: on this thread a timer fires a millisecond or more late, and each request sent late would
 * count that lateness against the server. `onDue` gets the count due so far and when the first was due
 * (`performance.now()` of this thread). Resolves with that time once all `total` are due.
 */
async function dueTicks(intervalMs: number, total: number, onDue: (due: number, began: number) => void): Promise<number> {
  const worker = new Worker(TICKER, { eval: true });
  try {
    await once(worker, 'message'); // rejects if the worker fails to start
    // The worker is running: the clock starts now, in both threads' terms (their performance.now() origins differ).
    const began = performance.now();
    await new Promise<void>((resolve, reject) => {
      worker.once('error', reject);
      worker.on('message', (due: number) => {
        onDue(due, began);
        if (due === total) resolve();
      });
      worker.postMessage({ beganAt: performance.timeOrigin + began, intervalMs, total });
    });
    return began;
  } finally {
    await worker.terminate();
  }
}
