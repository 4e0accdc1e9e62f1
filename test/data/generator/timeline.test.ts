import type { DayBatch } from '../../../data/generator/day-batch';
import { DAY, HOUR, type EventMeta } from '../../../data/generator/events';
import { Timeline } from '../../../data/generator/timeline';

const START = Date.parse('2026-01-01T00:00:00Z');
const meta = (ms: number, extra: Partial<EventMeta> = {}): EventMeta => ({
  ms, type: 'account_change', success: undefined, scenario: undefined, incident: undefined, unusual: undefined, ...extra,
}); // prettier-ignore

/** What a batch hands the writer, copied out of the reused view; each line ends in a newline. */
function contents(batch: DayBatch): { meta: EventMeta; json: string }[] {
  const out: { meta: EventMeta; json: string }[] = [];
  batch.forEachInOrder((m, bytes, start, end) => {
    expect(bytes[end - 1]).toBe(0x0a);
    out.push({ meta: { ...m }, json: bytes.toString('utf8', start, end - 1) });
  });
  return out;
}

describe('Timeline', () => {
  it('hands out each day its own events, including ones scheduled days ahead', () => {
    const t = new Timeline(START, 3);
    t.add(meta(START + 2 * DAY + HOUR), '{"n":1}');
    t.add(meta(START + HOUR), '{"n":2}');
    t.add(meta(START + DAY - 1), '{"n":3}');
    expect(contents(t.takeDay(0)).map((e) => e.json)).toEqual(['"n":2}', '"n":3}']);
    expect(t.takeDay(1).size).toBe(0);
    expect(contents(t.takeDay(2)).map((e) => e.meta.ms)).toEqual([START + 2 * DAY + HOUR]);
  });

  it('drops events after the window and refuses events for a day already written', () => {
    const t = new Timeline(START, 2);
    t.add(meta(START + 2 * DAY), '{}');
    expect(t.dropped).toBe(1);
    t.takeDay(0);
    expect(t.openFromMs).toBe(START + DAY);
    expect(() => t.add(meta(START + HOUR), '{}')).toThrow(/after its day was written/);
  });
});

describe('DayBatch', () => {
  it('returns events sorted by time, ties in insertion order, with their metadata and UTF-8 JSON intact', () => {
    const t = new Timeline(START, 1);
    const incident = { reported: true, reportMs: START + DAY, source: 'analyst' as const };
    t.add(meta(START + 5, { type: 'withdrawal', scenario: 'mule_address', incident }), '{"city":"São Paulo","k":1}');
    t.add(meta(START + 1, { type: 'login', success: false, scenario: 'credential_stuffing' }), '{"k":2}');
    t.add(meta(START + 5, { type: 'withdrawal', unusual: true }), '{"k":3}');
    t.add(meta(START + 1, { type: 'login', success: true }), '{"k":4}');
    const events = contents(t.takeDay(0));
    expect(events.map((e) => e.json)).toEqual(['"k":2}', '"k":4}', '"city":"São Paulo","k":1}', '"k":3}']);
    expect(events.map((e) => e.meta)).toEqual([
      meta(START + 1, { type: 'login', success: false, scenario: 'credential_stuffing' }),
      meta(START + 1, { type: 'login', success: true }),
      meta(START + 5, { type: 'withdrawal', scenario: 'mule_address', incident }),
      meta(START + 5, { type: 'withdrawal', unusual: true }),
    ]);
  });

  it('grows past its first buffer', () => {
    const t = new Timeline(START, 1);
    const long = `{"x":"${'a'.repeat(5000)}"}`;
    for (let i = 0; i < 100; i++) t.add(meta(START + i), long);
    const events = contents(t.takeDay(0));
    expect(events).toHaveLength(100);
    expect(events.every((e) => e.json === long.slice(1))).toBe(true);
  });
});
