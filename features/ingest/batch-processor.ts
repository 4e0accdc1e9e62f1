import { UnrecoverableError } from 'bullmq';
import { ValidationError } from '../../core/errors';
import type { FeaturePipeline } from '../pipeline';
import type { DeadLetter } from './dead-letters';
import { parseBatch } from './parse-batch';

/** What one batch gave. */
export interface BatchOutcome {
  /** Items in the batch, valid or not. */
  items: number;
  /** Valid events and labels handed to the pipeline (a duplicate event counts; it changes nothing). */
  events: number;
  labels: number;
  /** Events met before (a redelivery, a batch queued twice): they changed nothing. */
  duplicates: number;
  /** Labels of events the store does not know: nothing to attach them to. */
  unknownLabels: number;
  /** Items rejected to the dead-letter queue. */
  deadLettered: number;
}

/** Where {@link createBatchProcessor} sends valid and rejected items. */
export interface BatchProcessorOptions {
  pipeline: FeaturePipeline;
  /** Records rejected items (the dead-letter queue; see dead-letters.ts). */
  deadLetter: (letters: DeadLetter[]) => Promise<void>;
  /**
   * How far ahead of this process's clock an item may be timed, ms: a queue is live input, held to the same bound as
   * HTTP (data/event-clock.ts). @defaultValue no bound
   */
  maxAheadMs?: number;
}

/** The part of a BullMQ job the processor reads. */
export interface BatchJob {
  id?: string;
  data: unknown;
}

/**
 * Turns a batch job into feature-store updates: validates every item (an item timed too far ahead is bad too),
 * dead-letters the bad ones with their field paths, applies the rest in order without reading features back.
 * Re-running a batch (BullMQ retry, redelivery after a crash) is safe: the entity reducers skip event ids they have
 * applied, labels are idempotent, and dead letters are keyed by job and index.
 *
 * A payload that is not a batch at all throws `UnrecoverableError` (no retry could help). Other errors pass
 * through: `UnavailableError` when the feature store cannot be reached (the worker pauses the queue, see
 * event-worker.ts), anything else fails the attempt (retried per BATCH_JOB_OPTIONS).
 */
export function createBatchProcessor(options: BatchProcessorOptions): (job: BatchJob) => Promise<BatchOutcome> {
  return async (job) => {
    const jobId = job.id ?? '(no id)';
    let parsed;
    try {
      parsed = parseBatch(job.data, options.maxAheadMs === undefined ? undefined : { nowMs: Date.now(), maxAheadMs: options.maxAheadMs });
    } catch (err) {
      if (err instanceof ValidationError) throw new UnrecoverableError(`job ${jobId}: ${err.message}`);
      throw err;
    }
    const rejectedAt = new Date().toISOString();
    await options.deadLetter(parsed.rejected.map((r) => ({ jobId, index: r.index, item: r.item, issues: r.issues, rejectedAt })));
    const results = await options.pipeline.process(parsed.items, { features: false });
    const events = parsed.items.filter((i) => i.kind === 'event').length;
    return {
      items: parsed.items.length + parsed.rejected.length,
      events,
      labels: parsed.items.length - events,
      duplicates: results.filter((r) => r.kind === 'duplicate').length,
      unknownLabels: results.filter((r) => r.kind === 'unknown_event').length,
      deadLettered: parsed.rejected.length,
    };
  };
}
