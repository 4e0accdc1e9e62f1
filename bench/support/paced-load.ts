import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';

export interface PacedLoadOptions {
  port: number;
  path: string;
  headers: Record<string, string>;
  /** A new request body for each request. */
  body: () => string;
  ratePerSecond: number;
  seconds: number;
  /** Keep-alive connections at most; requests beyond them wait for one (and that wait counts in their latency). */
  connections: number;
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
 * An open-loop load at an even rate: request i is due at i / rate seconds and is sent then (timers fire about every
 * millisecond; requests that fell due meanwhile go together), whether or not earlier ones have been answered. Its
 * latency runs from when it was due, so a slow server cannot hide its queue by slowing the sender down.
 *
 * autocannon's `overallRate` is no such load: each connection sends its quota for the second back to back at the
 * start of each second, then pauses (lib/httpClient.js, `reqsMadeThisSecond`), so its latencies at "1,000 requests/s"
 * are those of bursts at full speed.
 */
export async function pacedLoad(o: PacedLoadOptions): Promise<PacedLoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: o.connections });
  const result: PacedLoadResult = { requestsPerSecond: 0, responses: 0, non2xx: 0, errors: 0, failModeAnswers: 0, latencies: [] };
  const inFlight = new Set<Promise<void>>();
  const began = performance.now();
  const total = Math.round(o.ratePerSecond * o.seconds);
  let sent = 0;
  try {
    while (sent < total) {
      const due = Math.min(total, Math.floor(((performance.now() - began) * o.ratePerSecond) / 1000) + 1);
      for (; sent < due; sent++) {
        const dueAt = began + (sent * 1000) / o.ratePerSecond;
        const p = send(agent, o, o.body()).then(
          (answer) => {
            result.latencies.push(performance.now() - dueAt);
            result.responses++;
            if (answer.status < 200 || answer.status >= 300) result.non2xx++;
            else if (answer.text.includes('"score":null')) result.failModeAnswers++;
          },
          () => {
            result.errors++;
          },
        );
        inFlight.add(p);
        void p.finally(() => inFlight.delete(p));
      }
      await delay(1);
    }
    await Promise.all(inFlight);
    result.requestsPerSecond = Math.round(result.responses / ((performance.now() - began) / 1000));
    return result;
  } finally {
    agent.destroy();
  }
}

function send(agent: Agent, o: PacedLoadOptions, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: o.port, path: o.path, method: 'POST', agent, headers: { ...o.headers, 'content-length': Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
