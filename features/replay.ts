import type { VigilEvent } from '../data/schemas';
import { FEATURES, featureNames, type ScoredEventType } from './definitions';
import { FeaturePipeline, type DenyListLookup, type PipelineItem } from './pipeline';
import type { LocationCipher } from './location-cipher';
import type { Pseudonymizer } from './pseudonymizer';
import type { FeatureStore } from './store/feature-store';
import { MemoryFeatureStore } from './store/memory-feature-store';

/** One point-in-time training row: a login or withdrawal and its features from the state before it. */
export interface FeatureRow {
  event: Extract<VigilEvent, { type: ScoredEventType }>;
  /** In {@link featureNames}(event.type) order. */
  features: Float64Array;
}

export interface ReplayOptions {
  /** @defaultValue a fresh {@link MemoryFeatureStore} */
  store?: FeatureStore;
  denyLists?: DenyListLookup;
  /** @defaultValue identity (values kept as they are) */
  pseudonymize?: Pseudonymizer;
  /** @defaultValue locations in clear */
  locations?: LocationCipher;
  /**
   * Items per store call. @defaultValue 256 without a store (the memory store has no round trip to amortise, and a
   * smaller batch keeps fewer prepared events alive when the garbage collector runs), 2000 with one
   */
  batchSize?: number;
}

export interface ReplayStats {
  events: number;
  labels: number;
  rows: number;
  duplicates: number;
  /** Labels whose event was never seen (nothing to attach them to). */
  unknownLabels: number;
}

/**
 * Replays a time-ordered list of events and labels through the feature pipeline and yields the rows of each store
 * call: one row per login and withdrawal, in order. This is the offline half of "one feature definition": online
 * scoring runs the same pipeline. A batch per step rather than a row per step spares a promise per row.
 */
export async function* replayBatches(items: readonly PipelineItem[], options: ReplayOptions = {}, stats?: ReplayStats): AsyncGenerator<FeatureRow[]> {
  const pipeline = new FeaturePipeline({
    store: options.store ?? new MemoryFeatureStore(),
    denyLists: options.denyLists,
    pseudonymize: options.pseudonymize,
    locations: options.locations,
  });
  const batchSize = options.batchSize ?? (options.store ? 2000 : 256);
  for (let start = 0; start < items.length; start += batchSize) {
    const end = Math.min(items.length, start + batchSize);
    const results = await pipeline.process(items.slice(start, end));
    const rows: FeatureRow[] = [];
    for (let i = start; i < end; i++) {
      const item = items[i] as PipelineItem;
      const result = results[i - start];
      if (stats) {
        if (item.kind === 'event') stats.events++;
        else stats.labels++;
        if (result?.kind === 'duplicate') stats.duplicates++;
        if (result?.kind === 'unknown_event') stats.unknownLabels++;
      }
      if (result?.kind === 'features' && item.kind === 'event') {
        if (stats) stats.rows++;
        rows.push({ event: item.event as FeatureRow['event'], features: result.features });
      }
    }
    if (rows.length) yield rows;
  }
}

/** {@link replayBatches} one row at a time. */
export async function* replay(items: readonly PipelineItem[], options: ReplayOptions = {}, stats?: ReplayStats): AsyncGenerator<FeatureRow> {
  for await (const rows of replayBatches(items, options, stats)) yield* rows;
}

export const emptyReplayStats = (): ReplayStats => ({ events: 0, labels: 0, rows: 0, duplicates: 0, unknownLabels: 0 });

/** Columns of a mixed training table: every feature once, in definition order. */
export const ALL_FEATURE_NAMES: readonly string[] = FEATURES.map((f) => f.name);

/** For each event type, the column of each of its features in {@link ALL_FEATURE_NAMES}. */
export const COLUMN_OF: Record<ScoredEventType, Int32Array> = {
  login: Int32Array.from(featureNames('login'), (n) => ALL_FEATURE_NAMES.indexOf(n)),
  withdrawal: Int32Array.from(featureNames('withdrawal'), (n) => ALL_FEATURE_NAMES.indexOf(n)),
};
