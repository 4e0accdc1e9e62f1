import express from 'express';
import cluster from 'node:cluster';
import { once } from 'node:events';
import { createClient } from 'redis';
import { createLogger } from '../../core/logger';
import { runPrimary } from '../../serving/cluster-primary';
import { startServer } from '../../serving/server';

/**
 * The yardsticks of bench/serve.ts: an Express app whose one route answers every POST to /v1/score/withdrawal with a
 * fixed JSON body, on serving/server.ts like `vigil serve`. Bare, it does not read the body sent. Given a Redis URL, it
 * does the least any scoring backed by a Redis feature store must: parse the JSON body and make one Redis round trip
 * (a GET of a key named after the user) before answering. Prints `{"port": N}` on stdout once listening; stops on
 * SIGTERM. With a number of workers as its first argument it runs that many node:cluster workers on one port, as
 * `vigil serve --workers N` does, and prints the port once all of them listen.
 * Run: `bare-server [workers] [redisUrl]`.
 */
const ANSWER = { eventId: 'fixed', score: 0.01, decision: 'allow', reasons: [], model: { name: 'vigil-withdrawal', version: 'fixed' } };
const WORKERS = Number(process.argv[2] ?? 1);
const REDIS_URL = process.argv[3];

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
  const redis = REDIS_URL === undefined ? undefined : createClient({ url: REDIS_URL });
  await redis?.connect();
  if (redis) {
    app.post('/v1/score/withdrawal', express.json(), async (req, res) => {
      await redis.get(`bench:floor:${String((req.body as { userId?: unknown }).userId)}`);
      res.json(ANSWER);
    });
  } else {
    app.post('/v1/score/withdrawal', (_req, res) => {
      res.json(ANSWER);
    });
  }
  const server = await startServer(app, { port: 0, host: '127.0.0.1', log: createLogger('silent') });
  if (!cluster.isWorker) process.stdout.write(`${JSON.stringify({ port: server.port })}\n`);
  await once(process, 'SIGTERM');
  await server.close();
  await redis?.close();
  cluster.worker?.disconnect();
}

main().catch((err: unknown) => {
  process.stderr.write(`bare-server: ${String(err)}\n`);
  process.exit(1);
});
