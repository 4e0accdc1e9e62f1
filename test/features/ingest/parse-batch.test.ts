import { ValidationError } from '../../../core/errors';
import { parseBatch } from '../../../features/ingest/parse-batch';

const login = { type: 'login', eventId: 'e1', userId: 'u1', ts: '2026-01-05T10:00:00Z', ip: '203.0.113.7', deviceId: 'd1', success: true };
const label = { eventId: 'e1', label: 'fraud', ts: '2026-01-06T00:00:00.500Z' };

describe('parseBatch', () => {
  it('keeps valid items in batch order with their times, and rejects each bad item on its own', () => {
    const parsed = parseBatch({
      items: [
        { kind: 'label', value: label },
        { kind: 'event', value: { ...login, success: 'yes' } },
        { kind: 'event', value: login },
        { kind: 'label', value: { ...label, ts: 'soon' } },
      ],
    });
    expect(parsed.items.map((i) => i.kind)).toEqual(['label', 'event']);
    expect(parsed.items.map((i) => i.tsMs)).toEqual([Date.parse('2026-01-06T00:00:00.500Z'), Date.parse('2026-01-05T10:00:00Z')]);
    expect(parsed.rejected.map((r) => [r.index, r.issues.map((i) => i.path.join('.'))])).toEqual([
      [1, ['success']],
      [3, ['ts']],
    ]);
    expect(parsed.rejected[0]?.item).toEqual({ kind: 'event', value: { ...login, success: 'yes' } });
  });

  it('rejects a broken envelope: an item that is not an object, or of no known kind', () => {
    const parsed = parseBatch({ items: [null, 'e1', { value: login }, { kind: 'click', value: login }] });
    expect(parsed.items).toEqual([]);
    expect(parsed.rejected.map((r) => r.issues)).toEqual([
      [{ path: [], message: 'expected an object {kind, value}' }],
      [{ path: [], message: 'expected an object {kind, value}' }],
      [{ path: ['kind'], message: 'expected "event" or "label", got nothing' }],
      [{ path: ['kind'], message: 'expected "event" or "label", got "click"' }],
    ]);
  });

  it('takes an event without `type` by its fields, as the files do', () => {
    const { type: _, ...untyped } = login;
    const parsed = parseBatch({ items: [{ kind: 'event', value: untyped }] });
    expect(parsed.items[0]).toMatchObject({ kind: 'event', event: { type: 'login', eventId: 'e1' } });
  });

  it('given a clock, rejects an event or label timed further ahead of it than allowed, and keeps one within', () => {
    const nowMs = Date.parse('2026-01-05T10:00:00Z');
    const at = (ms: number) => new Date(nowMs + ms).toISOString();
    const parsed = parseBatch(
      {
        items: [
          { kind: 'event', value: { ...login, ts: at(60_000) } },
          { kind: 'event', value: { ...login, eventId: 'e2', ts: at(60_001) } },
          { kind: 'label', value: { ...label, ts: at(3_600_000) } },
        ],
      },
      { nowMs, maxAheadMs: 60_000 },
    );
    expect(parsed.items.map((i) => i.tsMs)).toEqual([nowMs + 60_000]);
    expect(parsed.rejected.map((r) => [r.index, r.issues])).toEqual([
      [1, [{ path: ['ts'], message: "is 60.001 s ahead of this server's clock (at most 60 s allowed)" }]],
      [2, [{ path: ['ts'], message: "is 3600 s ahead of this server's clock (at most 60 s allowed)" }]],
    ]);
    // Without a clock (files are history) any time goes.
    expect(parseBatch({ items: [{ kind: 'event', value: { ...login, ts: at(365 * 86_400_000) } }] }).rejected).toEqual([]);
  });

  it.each([
    ['a string', 'items', /got string/],
    ['null', null, /got null/],
    ['an array', [{ kind: 'event', value: login }], /got an array/],
    ['an object without items', { events: [] }, /got object/],
    ['items that are not an array', { items: { 0: login } }, /got object/],
  ])('refuses a payload that is %s as a whole', (_, payload, message) => {
    expect(() => parseBatch(payload)).toThrow(ValidationError);
    expect(() => parseBatch(payload)).toThrow(message);
  });
});
