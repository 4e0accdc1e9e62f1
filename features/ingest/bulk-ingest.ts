import { performance } from 'node:perf_hooks';
import type { Config } from '../../core/config';
import type { Logger } from '../../core/logger';
import type { ReadMode } from '../../data/io/read-records';
import { FeaturePipeline, type PipelineItem } from '../pipeline';
import type { LocationCipher } from '../location-cipher';
import type { Pseudonymizer } from '../pseudonymizer';
import type { FeatureStore } from '../store/feature-store';
import { createFeatureStore } from '../store/create-feature-store';
import { readTimeline } from '../timeline';
import { commandsWritten } from '../../core/redis';
import { requireRedis } from './require-redis';

/** Counts of an ingestion. */
export interface IngestStats {
  events: number;
  labels: number;
  /** Events the store already knew (an earlier ingest) or met earlier in the same input: they changed nothing. */
  duplicates: number;
  /** Labels of events the store does not know: nothing to attach them to. */
  unknownLabels: number;
}

/** What {@link ingestItems} writes to, and how. */
export interface IngestOptions {
  store: FeatureStore;
  pseudonymize: Pseudonymizer;
  locations: LocationCipher;
  /** Items per store call. @defaultValue 5000 */
  batchSize?: number;
  /** Called after each batch with the counts so far and the number of items done. */
  onProgress?: (stats: IngestStats, done: number) => void;
}

/**
 * Applies time-ordered events and labels to a feature store without computing features: the bulk backfill path.
 * Idempotent: the reducers skip event ids they already hold and labels apply once, so ingesting the same items
 * again leaves the same logical state.
 */
export async function ingestItems(items: readonly PipelineItem[], options: IngestOptions): Promise<IngestStats> {
  const pipeline = new FeaturePipeline({ store: options.store, pseudonymize: options.pseudonymize, locations: options.locations });
  const batchSize = options.batchSize ?? 5000;
  const stats: IngestStats = { events: 0, labels: 0, duplicates: 0, unknownLabels: 0 };
  // One batch at a time in the store: a batch's labels look up the references of the events before it, which must
  // have been written. The CPU half of the next batch (pseudonyms, records) is done meanwhile, while the store works
  // on this one.
  let next = pipeline.prepare(items.slice(0, batchSize), { features: false });
  for (let start = 0; start < items.length; start += batchSize) {
    const prepared = next;
    const batch = prepared.items;
    // Without features the store reads no state back; it tells events met before by their label references (kept for
    // the label horizon), which it writes anyway.
    const work = pipeline.processPrepared(prepared);
    if (start + batchSize < items.length) {
      // Awaited below; a failure while the next batch is prepared is reported there, not as an unhandled rejection.
      work.catch(() => undefined);
      await commandsWritten();
      next = pipeline.prepare(items.slice(start + batchSize, start + 2 * batchSize), { features: false });
    }
    const results = await work;
    for (const item of batch) {
      if (item.kind === 'event') stats.events++;
      else stats.labels++;
    }
    for (const result of results) {
      if (result.kind === 'duplicate') stats.duplicates++;
      else if (result.kind === 'unknown_event') stats.unknownLabels++;
    }
    options.onProgress?.(stats, Math.min(start + batchSize, items.length));
  }
  return stats;
}

/** The inputs of `vigil ingest` (see {@link ingestFiles}). */
export interface IngestFilesOptions {
  events: string;
  labels?: string;
  /** @defaultValue `'strict'` */
  mode?: ReadMode;
  /** @defaultValue 5000 */
  batchSize?: number;
  config: Pick<Config, 'redisUrls' | 'redisKeyPrefix' | 'piiKey'>;
  log: Logger;
}

/** The result line of `vigil ingest`. */
export interface IngestReport extends IngestStats {
  /** Records skipped as invalid (`skip-invalid` mode; strict mode stops at the first). */
  invalid: number;
  seconds: number;
  /** Events per second over the whole run, reading and validating the files included. */
  eventsPerSecond: number;
}

/**
 * `vigil ingest`: reads and validates both files completely (so that in strict mode a bad line changes nothing),
 * then ingests the timeline into the Redis feature store of the configuration.
 */
export async function ingestFiles(options: IngestFilesOptions): Promise<IngestReport> {
  const { log } = options;
  requireRedis(options.config, 'ingest');
  const began = performance.now();
  const timeline = await readTimeline({ events: options.events, labels: options.labels, mode: options.mode });
  const invalid = timeline.reports.reduce((n, r) => n + r.invalid, 0);
  log.info({ items: timeline.items.length, invalid }, 'timeline read');
  const backend = await createFeatureStore(options.config, log);
  let lastLog = performance.now();
  try {
    const stats = await ingestItems(timeline.items, {
      store: backend.store,
      pseudonymize: backend.pseudonymize,
      locations: backend.locations,
      batchSize: options.batchSize,
      onProgress: (s, done) => {
        if (performance.now() - lastLog < 1000 && done < timeline.items.length) return;
        lastLog = performance.now();
        log.info({ done, of: timeline.items.length, ...s }, 'ingest progress');
      },
    });
    const seconds = (performance.now() - began) / 1000;
    return { ...stats, invalid, seconds: round3(seconds), eventsPerSecond: Math.round(stats.events / seconds) };
  } finally {
    await backend.store.close();
  }
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;
