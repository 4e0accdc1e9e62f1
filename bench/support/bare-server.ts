import express from 'express';
import { once } from 'node:events';
import { createLogger } from '../../core/logger';
import { startServer } from '../../serving/server';

/**
 * The yardstick of bench/serve.ts: an Express app whose one route answers every POST to /v1/score/withdrawal with a
 * fixed JSON body (the body sent is not read), on serving/server.ts like `vigil serve`. Prints `{"port": N}` on
 * stdout once listening; stops on SIGTERM.
 */
const ANSWER = { eventId: 'fixed', score: 0.01, decision: 'allow', reasons: [], model: { name: 'vigil-withdrawal', version: 'fixed' } };

async function main(): Promise<void> {
  const app = express();
  app.disable('x-powered-by');
  app.post('/v1/score/withdrawal', (_req, res) => {
    res.json(ANSWER);
  });
  const server = await startServer(app, { port: 0, host: '127.0.0.1', log: createLogger('silent') });
  process.stdout.write(`${JSON.stringify({ port: server.port })}\n`);
  await once(process, 'SIGTERM');
  await server.close();
}

main().catch((err: unknown) => {
  process.stderr.write(`bare-server: ${String(err)}\n`);
  process.exit(1);
});
