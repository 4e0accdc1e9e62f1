import { createHash } from 'node:crypto';
import { Queue, type JobsOptions } from 'bullmq';
import type { RedisClientType } from 'redis';
import { queuePrefix } from './queue-connection';

/** The queue of event batches that `vigil worker` applies to the feature store. */
export const EVENT_QUEUE = 'vigil-events';

/** Job name of an event batch (BullMQ requires one; there is only this kind). */
export const BATCH_JOB = 'batch';

/**
 * One item as a producer received it, not yet validated: `value` is the raw event or label object. The kind travels
 * with the item because labels and events arrive through different doors (`/v1/labels`, `/v1/events`, two files).
 */
export interface QueueItem {
  kind: 'event' | 'label';
  value: unknown;
}

/** The data of one job: items in the order they arrived, which is the order they are applied in. */
export interface EventBatch {
  items: QueueItem[];
}

/**
 * Retries and retention of every batch job. An attempt failed by an unexpected error is retried with exponential
 * backoff, 1 s, 2 s, 4 s, … (about 8.5 minutes over 10 attempts); an unreachable feature store does not use up
 * attempts, it pauses the queue instead (see event-worker.ts). Finished jobs are kept for a day so that their ids
 * stay known: re-enqueueing a batch within that day is a no-op.
 */
export const BATCH_JOB_OPTIONS: JobsOptions = {
  attempts: 10,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 24 * 3600 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

/**
 * The job id of a batch, derived from its content, so that enqueueing the same batch twice (a producer's retry)
 * adds one job while the first is known. 128 bits of SHA-256: distinct batches never share an id in practice.
 */
export function batchJobId(batch: EventBatch): string {
  return `batch-${createHash('sha256').update(JSON.stringify(batch.items)).digest('hex').slice(0, 32)}`;
}

/** The event queue on `connection`, its keys under `<keyPrefix>{vigil-q}:vigil-events:`. Close it when done. */
export function openEventQueue(connection: RedisClientType, keyPrefix: string): Queue<EventBatch> {
  return new Queue<EventBatch>(EVENT_QUEUE, { connection, prefix: queuePrefix(keyPrefix), defaultJobOptions: BATCH_JOB_OPTIONS });
}

/**
 * Adds a batch unless a job with its id is already known (waiting, running, or finished within the retention).
 * Resolves to the job id and whether a job was added.
 */
export async function enqueueBatch(queue: Queue<EventBatch>, batch: EventBatch): Promise<{ jobId: string; added: boolean }> {
  const jobId = batchJobId(batch);
  // BullMQ itself ignores an add with a known id; asking first only tells the caller which case it was.
  if ((await queue.getJobState(jobId)) !== 'unknown') return { jobId, added: false };
  await queue.add(BATCH_JOB, batch, { jobId });
  return { jobId, added: true };
}
