import { UnavailableError, ValidationError, VigilError, type FieldIssue } from '../core/errors';
import type { Logger } from '../core/logger';
import type { Parsed } from '../data/schemas';
import { parseItemValue, type BatchClock } from '../features/ingest/parse-batch';
import type { FeaturePipeline, PipelineItem } from '../features/pipeline';
import type { Ingestor } from './deps';
import type { AuditLog } from './stores/serving-stores';

/** Most items one request may carry. */
export const MAX_INGEST_ITEMS = 1000;

export interface PipelineIngestorOptions {
  pipeline: FeaturePipeline;
  audit: AuditLog;
  log: Logger;
  /** Retry-After of a 503 while the feature store is away, seconds. @defaultValue 1 */
  retryAfterSeconds?: number;
  /** How far ahead of this server's clock an event or label may be timed, ms. */
  maxAheadMs: number;
}

/** The feature store did not take the batch: nothing is acknowledged, the client sends it again later. */
export class IngestUnavailableError extends VigilError {
  constructor(
    readonly retryAfterSeconds: number,
    reason: string,
  ) {
    super('unavailable', `feature store unavailable, nothing was accepted; retry after ${retryAfterSeconds} s (${reason})`, 503);
  }
}

/**
 * `/v1/events` and `/v1/labels`: a batch of up to {@link MAX_INGEST_ITEMS} events or labels applied to feature state
 * without scoring. Every item is validated before anything is applied, so one bad item rejects the request with its
 * index in the field path (`["events", 3, "ts"]`) and changes nothing. A batch the store could not take is a 503:
 * the client retries it whole, which is safe because events and labels are idempotent by event id.
 */
export class PipelineIngestor implements Ingestor {
  private readonly retryAfterSeconds: number;

  constructor(private readonly o: PipelineIngestorOptions) {
    this.retryAfterSeconds = o.retryAfterSeconds ?? 1;
  }

  async events(body: unknown, _actor: string): Promise<{ accepted: number; duplicates: number }> {
    const clock = this.clock();
    const items = parseItems(body, 'events', (value) => parseItemValue('event', value, clock));
    // A count only: state itself deduplicates by event id. The store tells events met before (earlier, or earlier in
    // this batch) by their label references.
    const results = await this.guard(this.o.pipeline.process(items, { features: false }));
    const duplicates = results.filter((r) => r.kind === 'duplicate').length;
    return { accepted: items.length - duplicates, duplicates };
  }

  async labels(body: unknown, actor: string): Promise<{ accepted: number; unknownEvents: number }> {
    const clock = this.clock();
    const items = parseItems(body, 'labels', (value) => parseItemValue('label', value, clock));
    const results = await this.guard(this.o.pipeline.process(items, { features: false }));
    const applied = items.flatMap((item, i) => (item.kind === 'label' && results[i]?.kind === 'label_applied' ? [item.label] : []));
    // Labels shape the next training set, so each applied one is audited; the labels stand even if the audit fails.
    const audits = await Promise.allSettled(
      applied.map((label) => this.o.audit.append({ kind: 'label', actor, subject: label.eventId, data: { label: label.label, ts: label.ts, source: label.source ?? null } })),
    );
    for (const r of audits) if (r.status === 'rejected') this.o.log.error({ err: String(r.reason) }, 'auditing a label failed');
    return { accepted: applied.length, unknownEvents: items.length - applied.length };
  }

  /** This server's clock and how far ahead of it an item may be timed. */
  private clock(): BatchClock {
    return { nowMs: Date.now(), maxAheadMs: this.o.maxAheadMs };
  }

  private async guard<T>(work: Promise<T>): Promise<T> {
    try {
      return await work;
    } catch (err) {
      if (err instanceof UnavailableError) throw new IngestUnavailableError(this.retryAfterSeconds, err.message);
      throw err;
    }
  }
}

/**
 * Checks the envelope `{<field>: [...]}` (exactly that key, 1 to {@link MAX_INGEST_ITEMS} items) and every item;
 * throws one {@link ValidationError} listing every problem of every item, or returns all items.
 */
function parseItems(body: unknown, field: 'events' | 'labels', parseItem: (value: unknown) => Parsed<PipelineItem>): PipelineItem[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ValidationError(`expected a JSON object {${field}: [...]}`, [{ path: [], message: `expected an object with a "${field}" array` }]);
  }
  const extra = Object.keys(body).filter((k) => k !== field);
  const value = (body as Record<string, unknown>)[field];
  const list: unknown[] = Array.isArray(value) ? value : [];
  const envelope: FieldIssue[] = extra.map((k) => ({ path: [k], message: `unknown field; the body is {${field}: [...]}` }));
  if (!Array.isArray(value)) envelope.push({ path: [field], message: `expected an array of 1 to ${MAX_INGEST_ITEMS} ${field}` });
  else if (list.length === 0 || list.length > MAX_INGEST_ITEMS) {
    envelope.push({ path: [field], message: `expected 1 to ${MAX_INGEST_ITEMS} ${field}, got ${list.length}` });
  }
  if (envelope.length > 0) throw new ValidationError(`invalid ${field} batch`, envelope);

  const items: PipelineItem[] = [];
  const issues: FieldIssue[] = [];
  list.forEach((value, i) => {
    const parsed = parseItem(value);
    if (parsed.ok) items.push(parsed.value);
    else issues.push(...parsed.issues.map((issue) => ({ path: [field, i, ...issue.path], message: issue.message })));
  });
  if (issues.length > 0) {
    const bad = new Set(issues.map((issue) => issue.path[1])).size;
    throw new ValidationError(`${bad} of ${list.length} ${field} invalid; nothing was accepted`, issues);
  }
  return items;
}
