import { readEvents, readLabels, type ReadMode, type ReadReport } from '../data/io/read-records';
import { tsMillis } from '../data/schemas';
import type { PipelineItem } from './pipeline';

export interface TimelineOptions {
  events: string;
  labels?: string;
  /** @defaultValue `'strict'` */
  mode?: ReadMode;
}

export interface Timeline {
  items: PipelineItem[];
  reports: ReadReport[];
}

/**
 * Reads events and labels and merges them into one time-ordered list for replay. At equal times events come before
 * labels, so a label is visible only to events strictly after the moment it became known; otherwise file order is
 * kept (the sort is stable). Every record is read and validated before anything is replayed, so in strict mode a
 * bad line stops the run with nothing applied.
 */
export async function readTimeline(options: TimelineOptions): Promise<Timeline> {
  const items: PipelineItem[] = [];
  const events = readEvents(options.events, { mode: options.mode });
  for await (const batch of events.batches()) for (const event of batch) items.push({ kind: 'event', event, tsMs: tsMillis(event.ts) });
  const reports = [events.report];
  if (options.labels) {
    const labels = readLabels(options.labels, { mode: options.mode });
    for await (const batch of labels.batches()) for (const label of batch) items.push({ kind: 'label', label, tsMs: tsMillis(label.ts) });
    reports.push(labels.report);
  }
  items.sort((a, b) => a.tsMs - b.tsMs || (a.kind === b.kind ? 0 : a.kind === 'event' ? -1 : 1));
  return { items, reports };
}
