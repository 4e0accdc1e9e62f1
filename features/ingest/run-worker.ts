import { performance } from 'node:perf_hooks';
import type { Config } from '../../core/config';
import type { Logger } from '../../core/logger';
import { FeaturePipeline } from '../pipeline';
import { createFeatureStore } from '../store/create-feature-store';
import { startEventWorker, type EventWorkerOptions, type WorkerTotals } from './event-worker';
import { connectQueueRedis } from './queue-connection';
import { requireRedis } from './require-redis';

/** The inputs of `vigil worker` (see {@link runWorker}). */
export interface RunWorkerOptions extends Pick<EventWorkerOptions, 'concurrency' | 'lockDurationMs' | 'stalledIntervalMs'> {
  config: Pick<Config, 'redisUrls' | 'redisKeyPrefix' | 'piiKey' | 'maxClockSkewMs'>;
  log: Logger;
}

/** The result line of `vigil worker`, printed when it stops. */
export interface WorkerReport extends WorkerTotals {
  /** The signal that stopped it. */
  signal: NodeJS.Signals;
  seconds: number;
}

/**
 * `vigil worker`: applies queued batches to the Redis feature store until SIGTERM or SIGINT. The first signal stops
 * taking batches and waits for the running one to finish; a second one abandons it (it is redelivered later, and
 * applying it again is safe).
 */
export async function runWorker(options: RunWorkerOptions): Promise<WorkerReport> {
  const { config, log } = options;
  const urls = requireRedis(config, 'worker');
  const began = performance.now();
  const connection = await connectQueueRedis(urls, log, { waitForServer: true });
  try {
    const backend = await createFeatureStore(config, log);
    try {
      const worker = await startEventWorker({
        connection,
        keyPrefix: config.redisKeyPrefix,
        pipeline: new FeaturePipeline({ store: backend.store, pseudonymize: backend.pseudonymize, locations: backend.locations }),
        log,
        concurrency: options.concurrency,
        lockDurationMs: options.lockDurationMs,
        stalledIntervalMs: options.stalledIntervalMs,
        maxAheadMs: config.maxClockSkewMs,
      });
      // Listening only from here: a signal during startup (while Redis is unreachable, say) ends the process at once,
      // with nothing in flight.
      const signal = await new Promise<NodeJS.Signals>((resolve) => {
        process.once('SIGTERM', resolve);
        process.once('SIGINT', resolve);
      });
      log.info({ signal }, 'stopping: finishing the running batch');
      const force = () => {
        log.warn('second signal: abandoning the running batch');
        void worker.close(true);
      };
      process.once('SIGTERM', force);
      process.once('SIGINT', force);
      await worker.close();
      return { ...worker.totals, signal, seconds: Math.round(performance.now() - began) / 1000 };
    } finally {
      await backend.store.close();
    }
  } finally {
    await connection.close();
  }
}
