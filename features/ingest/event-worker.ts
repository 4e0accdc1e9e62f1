import { Worker } from 'bullmq';
import type { RedisClientType } from 'redis';
import { UnavailableError } from '../../core/errors';
import type { Logger } from '../../core/logger';
import type { FeaturePipeline } from '../pipeline';
import { createBatchProcessor, type BatchJob, type BatchOutcome } from './batch-processor';
import { addDeadLetters, openDeadLetterQueue } from './dead-letters';
import { EVENT_QUEUE, openEventQueue, type EventBatch } from './event-queue';
import { queuePrefix } from './queue-connection';

/** What {@link startEventWorker} works on, and how. */
export interface EventWorkerOptions {
  /** A node-redis client for BullMQ (see queue-connection.ts); the caller closes it after the worker. */
  connection: RedisClientType;
  /** Vigil's key prefix (VIGIL_REDIS_KEY_PREFIX). */
  keyPrefix: string;
  /** The pipeline batches are applied through, on the feature store to update. */
  pipeline: FeaturePipeline;
  log: Logger;
  /**
   * Batches processed at the same time, by this worker and by all workers of the queue together (it is set as the
   * queue's global concurrency too). Keep 1: an entity's state depends on the order of its events, and a label needs
   * its event applied first, so batches must be applied one after another in queue order. Several workers with 1
   * each are hot standbys, not extra throughput.
   * @defaultValue 1
   */
  concurrency?: number;
  /**
   * How long a job stays locked by its worker without renewal, ms; a crashed worker's batch goes back to the head
   * of the queue after at most this plus `stalledIntervalMs`.
   * @defaultValue 30000
   */
  lockDurationMs?: number;
  /** How often workers look for batches whose worker died, ms. @defaultValue 30000 */
  stalledIntervalMs?: number;
  /** How far ahead of this process's clock an item may be timed, ms (see createBatchProcessor). @defaultValue no bound */
  maxAheadMs?: number;
}

/** What a worker has done since it started. */
export interface WorkerTotals {
  jobs: number;
  items: number;
  events: number;
  labels: number;
  /** Events met before: they changed nothing. */
  duplicates: number;
  unknownLabels: number;
  deadLettered: number;
  /** Failed attempts (retried ones included). */
  failures: number;
  /** Times the queue was paused because the feature store could not be reached. */
  pauses: number;
}

/** A running worker. */
export interface EventWorker {
  readonly totals: WorkerTotals;
  /** Stops taking batches, lets the running one finish (or abandons it with `force`), and closes the queues. */
  close(force?: boolean): Promise<void>;
}

/** How many times a batch may be found abandoned by a dead worker before it is failed instead of redelivered. */
const MAX_STALLED = 5;

/**
 * A rate limiter that never limits by itself: it is there because BullMQ workers honour a manual pause of the queue
 * (`queue.rateLimit`) only when a limiter is configured.
 */
const PAUSABLE = { max: 2 ** 31, duration: 1000 };

/** Pause after the n-th unavailable attempt in a row (from 0): 1 s, 2 s, 4 s, … up to 30 s. */
export function outagePauseMs(n: number): number {
  return Math.min(1000 * 2 ** n, 30_000);
}

/**
 * Starts a BullMQ worker on the event queue: each job is a batch of raw events and labels (see event-queue.ts),
 * validated and applied through `pipeline` with the semantics of {@link createBatchProcessor}. Exactly once: a batch
 * redelivered after a crash is applied again, and the entity reducers skip the event ids they already hold.
 *
 * Batches are applied in queue order, also across failures:
 * - the queue's global concurrency is `concurrency` (1), so a batch abandoned by a killed worker stays active,
 *   blocking the queue, until its lock expires; then BullMQ puts it back at the head of the queue;
 * - when the feature store cannot be reached (`UnavailableError`), the batch goes back to the head of the queue and
 *   the queue is paused with exponential backoff ({@link outagePauseMs}), for as long as the outage lasts. A plain
 *   failure would not do: BullMQ re-queues a retried job behind the waiting ones, so later batches would overtake
 *   it (and a label overtaking its event is dropped as unknown).
 * Any other error fails the attempt and is retried per BATCH_JOB_OPTIONS, so one poisonous batch cannot stop the
 * queue for good.
 */
export async function startEventWorker(options: EventWorkerOptions): Promise<EventWorker> {
  const { connection, keyPrefix, log } = options;
  const concurrency = options.concurrency ?? 1;
  const queue = openEventQueue(connection, keyPrefix);
  const deadLetters = openDeadLetterQueue(connection, keyPrefix);
  await queue.setGlobalConcurrency(concurrency);
  const apply = createBatchProcessor({ pipeline: options.pipeline, deadLetter: (letters) => addDeadLetters(deadLetters, letters), maxAheadMs: options.maxAheadMs });
  const totals: WorkerTotals = { jobs: 0, items: 0, events: 0, labels: 0, duplicates: 0, unknownLabels: 0, deadLettered: 0, failures: 0, pauses: 0 };
  let outageAttempts = 0;

  const processBatch = async (job: BatchJob): Promise<BatchOutcome> => {
    try {
      const outcome = await apply(job);
      outageAttempts = 0;
      return outcome;
    } catch (err) {
      if (!(err instanceof UnavailableError)) throw err;
      const pauseMs = outagePauseMs(outageAttempts++);
      totals.pauses++;
      log.warn({ jobId: job.id, pauseMs, err: err.message }, 'feature store unavailable: batch back to the head of the queue, queue paused');
      await queue.rateLimit(pauseMs);
      throw Worker.RateLimitError();
    }
  };

  const worker = new Worker<EventBatch, BatchOutcome>(EVENT_QUEUE, processBatch, {
    connection,
    prefix: queuePrefix(keyPrefix),
    concurrency,
    limiter: PAUSABLE,
    lockDuration: options.lockDurationMs ?? 30_000,
    stalledInterval: options.stalledIntervalMs ?? 30_000,
    maxStalledCount: MAX_STALLED,
    autorun: false,
  });
  worker.on('completed', (job, outcome) => {
    totals.jobs++;
    for (const key of ['items', 'events', 'labels', 'duplicates', 'unknownLabels', 'deadLettered'] as const) totals[key] += outcome[key];
    log.info({ jobId: job.id, ...outcome }, 'batch applied');
  });
  worker.on('failed', (job, err) => {
    totals.failures++;
    const attempts = job?.opts.attempts ?? 1;
    const final = !job || job.attemptsMade >= attempts || err.name === 'UnrecoverableError';
    log[final ? 'error' : 'warn']({ jobId: job?.id, attemptsMade: job?.attemptsMade, attempts, err: err.message }, final ? 'batch failed' : 'batch failed, will retry');
  });
  worker.on('stalled', (jobId) => log.warn({ jobId }, 'batch abandoned by a stopped worker, redelivered'));
  worker.on('error', (err) => log.error({ err: err.message }, 'worker error'));
  void worker.run().catch((err: unknown) => log.error({ err: err instanceof Error ? err.message : String(err) }, 'worker stopped'));
  await worker.waitUntilReady();
  log.info({ queue: EVENT_QUEUE, concurrency }, 'worker started');

  return {
    totals,
    async close(force = false) {
      await worker.close(force);
      await Promise.all([queue.close(), deadLetters.close()]);
    },
  };
}
