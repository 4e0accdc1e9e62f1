import express from 'express';
import cluster from 'node:cluster';
import { once } from 'node:events';
import { createLogger } from '../../core/logger';
import { runPrimary } from '../../serving/cluster-primary';
import { startServer } from '../../serving/server';

/**
 * The yardstick of bench/serve.ts: an Express app whose one route answers every POST to /v1/score/withdrawal with a
 * fixed JSON body (the body sent is not read), on serving/server.ts like `vigil serve`. Prints `{"port": N}` on
 * stdout once listening; stops on SIGTERM. With a number of workers as its argument it runs that many node:cluster
 * workers on one port, as `vigil serve --workers N` does, and prints the port once all of them listen.
 */
const ANSWER = { eventId: 'fixed', score: 0.01, decision: 'allow', reasons: [], model: { name: 'vigil-withdrawal', version: 'fixed' } };
const WORKERS = Number(process.argv[2] ?? 1);

async function main(): Promise<void> {
  if (WORKERS > 1 && cluster.isPrimary) {
    let listening = 0;
    cluster.on('listening', (_worker, address) => {
      if (++listening === WORKERS) process.stdout.write(`${JSON.stringify({ port: address.port })}\n`);
    });
    // The same primary as `vigil serve --workers` (forks, passes SIGTERM on, waits for the workers to drain).
    await runPrimary({ workers: WORKERS, log: createLogger('silent') });
    return;
  }
  const app = express();
  app.disable('x-powered-by');
  app.post('/v1/score/withdrawal', (_req, res) => {
    res.json(ANSWER);
  });
  const server = await startServer(app, { port: 0, host: '127.0.0.1', log: createLogger('silent') });
  if (!cluster.isWorker) process.stdout.write(`${JSON.stringify({ port: server.port })}\n`);
  await once(process, 'SIGTERM');
  await server.close();
  cluster.worker?.disconnect();
}

main().catch((err: unknown) => {
  process.stderr.write(`bare-server: ${String(err)}\n`);
  process.exit(1);
});
