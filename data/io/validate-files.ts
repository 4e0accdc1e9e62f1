import type { Logger } from '../../core/logger';
import { EVENT_TYPES, type EventType, type Label } from '../schemas';
import { readEvents, readLabels, type ReadMode, type ReadReport, type RecordError } from './read-records';

export interface ValidateFilesOptions {
  events: string;
  labels?: string;
  /** @defaultValue `'strict'` */
  mode?: ReadMode;
  /** How many errors the summary lists, over both files. @defaultValue 20 */
  maxErrors?: number;
  /** Progress goes here (one line per file). */
  log?: Logger;
}

/** The result of `vigil validate`. */
export interface ValidationSummary {
  events: { valid: number; invalid: number; byType: Record<EventType, number> };
  /** `null` when no labels file was given. */
  labels: { valid: number; invalid: number; byLabel: Record<Label['label'], number> } | null;
  /** The first errors, events file first, each with its file and line. */
  errors: (RecordError & { file: string })[];
}

function logDone(log: Logger | undefined, report: ReadReport, started: number): void {
  const seconds = (performance.now() - started) / 1000;
  log?.info({ file: report.file, valid: report.valid, invalid: report.invalid, seconds: Number(seconds.toFixed(2)) }, 'checked');
}

/**
 * Reads an events file and optionally a labels file through the schemas and counts what it finds. In strict mode
 * the first bad record throws an `InvalidRecordError` (`file:line: field: reason`); in skip-invalid mode every bad
 * record is counted and the first few are listed.
 */
export async function validateFiles(options: ValidateFilesOptions): Promise<ValidationSummary> {
  const mode = options.mode ?? 'strict';
  const maxErrors = options.maxErrors ?? 20;
  // Both readers are created before reading, so a bad labels path fails before the (long) events read.
  const events = readEvents(options.events, { mode, maxErrors });
  const labels = options.labels === undefined ? undefined : readLabels(options.labels, { mode, maxErrors });

  const byType = Object.fromEntries(EVENT_TYPES.map((t) => [t, 0])) as Record<EventType, number>;
  options.log?.info({ file: options.events, mode }, 'checking events');
  let started = performance.now();
  for await (const batch of events.batches()) {
    for (const event of batch) byType[event.type]++;
  }
  const eventReport = events.report;
  logDone(options.log, eventReport, started);

  const byLabel: Record<Label['label'], number> = { fraud: 0, legit: 0 };
  let labelReport: ReadReport | undefined;
  if (labels) {
    options.log?.info({ file: labels.file, mode }, 'checking labels');
    started = performance.now();
    for await (const batch of labels.batches()) {
      for (const label of batch) byLabel[label.label]++;
    }
    labelReport = labels.report;
    logDone(options.log, labelReport, started);
  }

  const errors = [eventReport, ...(labelReport ? [labelReport] : [])]
    .flatMap((r) => r.errors.map((e) => ({ file: r.file, ...e })))
    .slice(0, maxErrors);
  return {
    events: { valid: eventReport.valid, invalid: eventReport.invalid, byType },
    labels: labelReport ? { valid: labelReport.valid, invalid: labelReport.invalid, byLabel } : null,
    errors,
  };
}
