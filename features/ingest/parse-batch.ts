import { ValidationError, type FieldIssue } from '../../core/errors';
import { tsAheadIssue } from '../../data/event-clock';
import { safeParseEvent, safeParseLabel, tsMillis, type Parsed } from '../../data/schemas';
import type { PipelineItem } from '../pipeline';

/** An item of a batch that failed validation: its position, the item as received, and every field at fault. */
export interface RejectedItem {
  index: number;
  item: unknown;
  issues: FieldIssue[];
}

/** How far ahead of `nowMs` an item may be timed (see data/event-clock.ts). */
export interface BatchClock {
  nowMs: number;
  maxAheadMs: number;
}

/** A batch split into the items to apply (in batch order) and the rejects. */
export interface ParsedBatch {
  items: PipelineItem[];
  rejected: RejectedItem[];
}

/**
 * Validates a job's payload item by item. Items are `{kind: 'event' | 'label', value}`; each value is checked
 * against the data contract (safeParseEvent / safeParseLabel) and, given a `clock`, for a `ts` no further ahead of
 * it than allowed; a bad item is rejected on its own so that the rest of the batch still counts. Issue paths are
 * inside the event or label (`["amount"]`), except for a broken envelope (`["kind"]`, or `[]` for an item that is
 * not an object).
 *
 * @throws ValidationError when the payload is not `{items: [...]}` at all: nothing in it can be trusted, and no
 * retry will change that.
 */
export function parseBatch(payload: unknown, clock?: BatchClock): ParsedBatch {
  const items = typeof payload === 'object' && payload !== null && !Array.isArray(payload) ? (payload as { items?: unknown }).items : undefined;
  if (!Array.isArray(items)) {
    const got = Array.isArray(payload) ? 'an array' : payload === null ? 'null' : typeof payload;
    throw new ValidationError(`malformed batch: expected an object {items: [...]}, got ${got}`, [
      { path: Array.isArray(payload) || typeof payload !== 'object' || payload === null ? [] : ['items'], message: 'expected an array of items' },
    ]);
  }
  const parsed: ParsedBatch = { items: [], rejected: [] };
  items.forEach((item: unknown, index) => {
    const issues = parseItem(item, parsed.items, clock);
    if (issues) parsed.rejected.push({ index, item, issues });
  });
  return parsed;
}

/** Appends a valid item to `out`, or returns what is wrong with it. */
function parseItem(item: unknown, out: PipelineItem[], clock: BatchClock | undefined): FieldIssue[] | undefined {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return [{ path: [], message: 'expected an object {kind, value}' }];
  const { kind, value } = item as { kind?: unknown; value?: unknown };
  if (kind !== 'event' && kind !== 'label') return [{ path: ['kind'], message: `expected "event" or "label", got ${JSON.stringify(kind) ?? 'nothing'}` }];
  const parsed = parseItemValue(kind, value, clock);
  if (!parsed.ok) return parsed.issues;
  out.push(parsed.value);
  return undefined;
}

/**
 * An event or label (`value`) as a pipeline item, if it meets the data contract and, given a `clock`, is timed no
 * further ahead of it than allowed: what every live input (the queue here, HTTP in serving/ingestor.ts) takes in.
 */
export function parseItemValue(kind: PipelineItem['kind'], value: unknown, clock: BatchClock | undefined): Parsed<PipelineItem> {
  let item: PipelineItem;
  if (kind === 'event') {
    const event = safeParseEvent(value);
    if (!event.ok) return event;
    item = { kind, event: event.value, tsMs: tsMillis(event.value.ts) };
  } else {
    const label = safeParseLabel(value);
    if (!label.ok) return label;
    item = { kind, label: label.value, tsMs: tsMillis(label.value.ts) };
  }
  const ahead = clock && tsAheadIssue(item.tsMs, clock.nowMs, clock.maxAheadMs);
  return ahead ? { ok: false, issues: [ahead] } : { ok: true, value: item };
}
