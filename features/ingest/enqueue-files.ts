import { performance } from 'node:perf_hooks';
import type { Config } from '../../core/config';
import type { Logger } from '../../core/logger';
import type { ReadMode } from '../../data/io/read-records';
import { readTimeline } from '../timeline';
import { enqueueBatch, openEventQueue, type QueueItem } from './event-queue';
import { connectQueueRedis } from './queue-connection';
import { requireRedis } from './require-redis';

/** The inputs of `vigil enqueue` (see {@link enqueueFiles}). */
export interface EnqueueFilesOptions {
  events: string;
  labels?: string;
  /** @defaultValue `'strict'` */
  mode?: ReadMode;
  /** Items per job. @defaultValue 1000 */
  batchSize?: number;
  config: Pick<Config, 'redisUrls' | 'redisKeyPrefix'>;
  log: Logger;
}

/** The result line of `vigil enqueue`. */
export interface EnqueueReport {
  /** Batches the input makes. */
  jobs: number;
  /** Of those, jobs added; the others were already known (the same batch enqueued before). */
  added: number;
  alreadyQueued: number;
  events: number;
  labels: number;
  /** Records skipped as invalid (`skip-invalid` mode). */
  invalid: number;
  seconds: number;
}

/**
 * `vigil enqueue`: reads events and labels into one time-ordered timeline (validated completely first, so in strict
 * mode a bad line enqueues nothing) and puts it on the event queue in batches, for `vigil worker` to apply. The
 * same files with the same batch size make the same jobs, so running it twice adds nothing the second time.
 */
export async function enqueueFiles(options: EnqueueFilesOptions): Promise<EnqueueReport> {
  const { log } = options;
  const urls = requireRedis(options.config, 'enqueue');
  const batchSize = options.batchSize ?? 1000;
  const began = performance.now();
  const timeline = await readTimeline({ events: options.events, labels: options.labels, mode: options.mode });
  const items: QueueItem[] = timeline.items.map((i) => (i.kind === 'event' ? { kind: 'event', value: i.event } : { kind: 'label', value: i.label }));
  const connection = await connectQueueRedis(urls, log);
  const queue = openEventQueue(connection, options.config.redisKeyPrefix);
  const report: EnqueueReport = {
    jobs: 0,
    added: 0,
    alreadyQueued: 0,
    events: timeline.items.filter((i) => i.kind === 'event').length,
    labels: timeline.items.filter((i) => i.kind === 'label').length,
    invalid: timeline.reports.reduce((n, r) => n + r.invalid, 0),
    seconds: 0,
  };
  try {
    for (let start = 0; start < items.length; start += batchSize) {
      const { added } = await enqueueBatch(queue, { items: items.slice(start, start + batchSize) });
      report.jobs++;
      if (added) report.added++;
      else report.alreadyQueued++;
    }
    log.info({ jobs: report.jobs, added: report.added }, 'enqueued');
  } finally {
    await queue.close();
    await connection.close();
  }
  report.seconds = Math.round(performance.now() - began) / 1000;
  return report;
}
