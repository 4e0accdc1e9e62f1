import cluster, { type Worker } from 'node:cluster';
import { once } from 'node:events';
import { AggregatorRegistry } from 'prom-client';
import type { Logger } from '../core/logger';
import { isClusterMessage, type ClusterMessage } from './cluster-messages';

export interface PrimaryOptions {
  workers: number;
  log: Logger;
}

/** How long the primary waits before replacing a worker that died, ms: a worker that dies at once is not re-forked in a tight loop. */
const RESTART_DELAY_MS = 1000;

/**
 * `vigil serve --workers N`: this process forks N workers that run `vigil serve` itself and share its port (node:cluster
 * hands each new connection to one of them), and serves nothing itself. (The workers follow each other's model changes
 * through the registry and Redis, as separate instances do: serving/model-sync.ts.) It
 * - answers a worker's `/metrics` with every worker's metrics aggregated by prom-client (counters and histograms
 *   summed, gauges as each declares);
 * - replaces a worker that dies after it listened; one that dies before it ever listened is a start-up failure (bad
 *   configuration, port taken), and the whole service stops with an error rather than fork it again and again;
 * - on SIGTERM or SIGINT passes the signal on, so each worker answers its requests in flight and exits, and ends once
 *   all have; a second signal kills them.
 * Resolves with the signal that stopped it; rejects when a worker failed to start.
 */
export async function runPrimary(o: PrimaryOptions): Promise<{ stopped: string; workers: number }> {
  const aggregator = new AggregatorRegistry();
  const listened = new WeakSet<Worker>();
  let stopping: string | undefined;
  let failed: ((err: Error) => void) | undefined;
  const startFailure = new Promise<never>((_, reject) => (failed = reject));

  cluster.on('listening', (worker, address) => {
    listened.add(worker);
    o.log.info({ worker: worker.id, pid: worker.process.pid, port: address.port }, 'worker listening');
  });
  cluster.on('message', (worker, message: unknown) => {
    if (!isClusterMessage(message)) return;
    if (message.type === 'vigil:metrics-request') {
      aggregator.clusterMetrics().then(
        (text) => send(worker, { type: 'vigil:metrics', id: message.id, text }),
        (err: unknown) => send(worker, { type: 'vigil:metrics', id: message.id, error: String(err) }),
      );
    }
  });
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    if (!listened.has(worker)) {
      failed?.(new Error(`worker ${worker.id} exited before it listened (code ${code ?? signal}); see its log above`));
      return;
    }
    o.log.error({ worker: worker.id, pid: worker.process.pid, code, signal }, 'worker died; starting another');
    setTimeout(() => {
      if (!stopping) cluster.fork();
    }, RESTART_DELAY_MS).unref();
  });

  for (let i = 0; i < o.workers; i++) cluster.fork();
  const signal = await Promise.race([
    once(process, 'SIGTERM').then(() => 'SIGTERM'),
    once(process, 'SIGINT').then(() => 'SIGINT'),
    startFailure.catch(async (err: unknown) => {
      await stopWorkers('SIGTERM');
      throw err;
    }),
  ]);
  // A second signal while the workers drain means "now".
  const force = () => {
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGKILL');
    process.exit(1);
  };
  process.once('SIGTERM', force).once('SIGINT', force);
  o.log.info({ signal }, 'stopping the workers');
  await stopWorkers(signal as NodeJS.Signals);
  return { stopped: signal, workers: o.workers };

  async function stopWorkers(sig: NodeJS.Signals): Promise<void> {
    stopping = sig;
    const running = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
    const exits = running.map((w) => (w.isDead() ? Promise.resolve() : once(w, 'exit').then(() => undefined)));
    for (const w of running) if (!w.isDead()) w.process.kill(sig);
    await Promise.all(exits);
  }
}

function send(worker: Worker, message: ClusterMessage): void {
  // A worker that is exiting cannot take messages; it has nothing left to serve either.
  if (worker.isConnected()) worker.send(message);
}
