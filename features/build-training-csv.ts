import { createCsvWriter } from '../data/io/csv';
import type { ReadMode } from '../data/io/read-records';
import type { DenyListLookup } from './pipeline';
import { ALL_FEATURE_NAMES, COLUMN_OF, emptyReplayStats, replayBatches, type ReplayStats } from './replay';
import { readTimeline } from './timeline';

export interface BuildFeaturesOptions {
  events: string;
  labels?: string;
  out: string;
  mode?: ReadMode;
  denyLists?: DenyListLookup;
  onProgress?: (stats: ReplayStats) => void;
}

/**
 * `vigil features build`: replays events (and labels) in time order through the memory store and writes one
 * point-in-time row per login and withdrawal: `eventId,userId,ts,type`, then every feature (empty = unknown or not
 * defined for the row's type). `ts` is written exactly as in the events.
 */
export async function buildFeaturesCsv(options: BuildFeaturesOptions) {
  const started = Date.now();
  const timeline = await readTimeline({ events: options.events, labels: options.labels, mode: options.mode });
  const writer = createCsvWriter(options.out, ['eventId', 'userId', 'ts', 'type', ...ALL_FEATURE_NAMES]);
  const stats = emptyReplayStats();
  const width = 4 + ALL_FEATURE_NAMES.length;
  try {
    for await (const rows of replayBatches(timeline.items, { denyLists: options.denyLists }, stats)) {
      for (const row of rows) {
        const cells: (string | number)[] = new Array(width).fill(Number.NaN);
        cells[0] = row.event.eventId;
        cells[1] = row.event.userId;
        cells[2] = row.event.ts;
        cells[3] = row.event.type;
        const columns = COLUMN_OF[row.event.type];
        for (let i = 0; i < columns.length; i++) cells[4 + (columns[i] as number)] = row.features[i] as number;
        await writer.writeRow(cells);
      }
      // Once per 100,000 rows: when this batch crossed a multiple of it.
      if (options.onProgress && Math.floor(stats.rows / 100_000) > Math.floor((stats.rows - rows.length) / 100_000)) options.onProgress(stats);
    }
    await writer.close();
  } catch (err) {
    await writer.abort();
    throw err;
  }
  const seconds = (Date.now() - started) / 1000;
  return {
    out: options.out,
    ...stats,
    invalid: timeline.reports.reduce((n, r) => n + r.invalid, 0),
    features: ALL_FEATURE_NAMES.length,
    seconds,
    eventsPerSecond: Math.round((stats.events + stats.labels) / seconds),
  };
}
