import { Queue } from 'bullmq';
import type { RedisClientType } from 'redis';
import type { FieldIssue } from '../../core/errors';
import { queuePrefix } from './queue-connection';

/**
 * Where the worker puts items it cannot apply: a second BullMQ queue, `vigil-dead-letter`, that no worker consumes.
 * Each rejected item is one job there, waiting until someone looks at it (`readDeadLetters`, or any BullMQ board),
 * fixes and re-sends it, or removes it. Its keys live next to the event queue's, `<keyPrefix>{vigil-q}:vigil-dead-letter:…`.
 */
export const DEAD_LETTER_QUEUE = 'vigil-dead-letter';

/** Job name of a rejected item. */
export const DEAD_LETTER_JOB = 'rejected';

/** One item the worker rejected, with where it came from and why. */
export interface DeadLetter {
  /** Id of the batch job the item came in. */
  jobId: string;
  /** Position of the item in that batch, from 0. */
  index: number;
  /** The item exactly as it was queued. */
  item: unknown;
  /** Every field at fault: its path inside the item's event or label (`[]`: the item as a whole) and the reason. */
  issues: FieldIssue[];
  /** When the worker rejected it, ISO 8601. */
  rejectedAt: string;
}

/** The dead-letter queue on `connection`. Close it when done. */
export function openDeadLetterQueue(connection: RedisClientType, keyPrefix: string): Queue<DeadLetter> {
  return new Queue<DeadLetter>(DEAD_LETTER_QUEUE, { connection, prefix: queuePrefix(keyPrefix) });
}

/**
 * Adds rejected items. Each job id is the batch job id and the item's index, so when a batch is processed again
 * (a retry, a redelivery after a crash) its rejects are not recorded twice.
 */
export async function addDeadLetters(queue: Queue<DeadLetter>, letters: readonly DeadLetter[]): Promise<void> {
  if (letters.length === 0) return;
  await queue.addBulk(letters.map((data) => ({ name: DEAD_LETTER_JOB, data, opts: { jobId: `${data.jobId}-${data.index}` } })));
}

/** The rejected items, oldest first (`start`/`end` as in LRANGE, inclusive). */
export async function readDeadLetters(queue: Queue<DeadLetter>, start = 0, end = -1): Promise<DeadLetter[]> {
  const jobs = await queue.getJobs(['waiting'], start, end, true);
  return jobs.map((job) => job.data);
}
