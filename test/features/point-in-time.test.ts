import { chainOf, normalizeAddress } from '../../data/addresses';
import type { VigilEvent } from '../../data/schemas';
import type { PipelineItem } from '../../features/pipeline';
import { emptyReplayStats, replay } from '../../features/replay';
import { kindOf, type EntityName } from '../../features/state/entity-kinds';
import { MemoryFeatureStore } from '../../features/store/memory-feature-store';
import { DAY, HOUR } from '../../features/transforms/time';
import { canonical, collectRows, featureOf, firstDifference, type RowBytes } from './compare';
import { generatedDataset, type GeneratedDataset } from './generated-dataset';

/**
 * Invariant 2 of DESIGN.md: the features of an event come from the state before it, and a label is visible only
 * from its own timestamp. Replays of edited timelines must leave every row that cannot know of the edit unchanged.
 */

let data: GeneratedDataset;
let full: RowBytes[];
const eventById = new Map<string, VigilEvent>();

beforeAll(async () => {
  // The conformance suite's data set: it holds a mule ring, whose address is labelled while it still receives.
  data = await generatedDataset({ users: 300, days: 14, seed: 20260301, fraudScale: 10 });
  full = await collectRows(replay(data.items));
  for (const i of data.items) if (i.kind === 'event') eventById.set(i.event.eventId, i.event);
});
afterAll(() => data?.cleanup());

const addressOf = (e: VigilEvent): string | undefined => (e.type === 'withdrawal' ? normalizeAddress(chainOf(e.chain, e.asset), e.address) : undefined);

/** Withdrawal rows to `address` in (from, to]. */
const toAddress = (rows: RowBytes[], address: string, from: number, to: number) =>
  rows.filter((r) => r.type === 'withdrawal' && r.ts > from && r.ts <= to && addressOf(eventById.get(r.eventId) as VigilEvent) === address);

/** Inserts a label at time `tsMs`, after every item up to that time (events before labels at equal times). */
function withLabelAt(items: readonly PipelineItem[], label: Extract<PipelineItem, { kind: 'label' }>, tsMs: number): PipelineItem[] {
  const moved: PipelineItem = { kind: 'label', label: { ...label.label, ts: new Date(tsMs).toISOString() }, tsMs };
  const rest = items.filter((i) => i !== label);
  const at = rest.findIndex((i) => i.tsMs > tsMs);
  return at === -1 ? [...rest, moved] : [...rest.slice(0, at), moved, ...rest.slice(at)];
}

describe('a replay cut at time T', () => {
  it('gives every row up to T exactly as the full replay does', async () => {
    const start = data.items[0]?.tsMs as number;
    const cut = start + 9 * DAY + 7 * HOUR + 1234;
    const before = data.items.filter((i) => i.tsMs <= cut);
    // What the cut removes includes labels of events before T: a leak would show in those events' rows.
    const lateLabels = data.items.filter((i) => i.kind === 'label' && i.tsMs > cut && (full.find((r) => r.eventId === i.label.eventId)?.ts ?? Infinity) <= cut);
    expect(lateLabels.length).toBeGreaterThan(3);

    const truncated = await collectRows(replay(before));
    const expected = full.filter((r) => r.ts <= cut);
    expect(expected.length).toBeGreaterThan(1000);
    expect(expected.length).toBeLessThan(full.length);
    expect(firstDifference(expected, truncated)).toBeUndefined();
  });
});

describe('a fraud label moved later in time', () => {
  /**
   * A fraud label on a withdrawal, and a later time for it, such that both the labelled user and the destination
   * address have rows between the two times and after the later one.
   */
  function pickLabel() {
    for (const item of data.items) {
      if (item.kind !== 'label' || item.label.label !== 'fraud') continue;
      const event = eventById.get(item.label.eventId);
      const address = event && addressOf(event);
      if (!event || address === undefined) continue;
      const t0 = item.tsMs;
      const userTimes = full.filter((r) => r.userId === event.userId && r.ts > t0).map((r) => r.ts);
      const addressTimes = toAddress(full, address, t0, Infinity).map((r) => r.ts);
      if (userTimes.length < 2 || addressTimes.length < 2) continue;
      const from = Math.max(Math.min(...userTimes), Math.min(...addressTimes));
      const to = Math.min(Math.max(...userTimes), Math.max(...addressTimes));
      if (to - from < 2) continue;
      return { label: item, event, address, t0, t1: Math.floor((from + to) / 2) };
    }
    throw new Error('no fraud label with rows of its user and its address on both sides of a later time');
  }

  it('is invisible to every row before its new time and seen by the rows after it', async () => {
    const { label, event, address, t0, t1 } = pickLabel();
    const shifted = await collectRows(replay(withLabelAt(data.items, label, t1)));
    const without = await collectRows(replay(data.items.filter((i) => i !== label)));

    // Up to its original time nobody saw it; between the two times the moved label is as good as absent.
    expect(firstDifference(full.filter((r) => r.ts <= t0), shifted.filter((r) => r.ts <= t0))).toBeUndefined();
    expect(firstDifference(without.filter((r) => r.ts <= t1), shifted.filter((r) => r.ts <= t1))).toBeUndefined();
    // From its new time on, the rows are those of the label at its original time.
    expect(firstDifference(full.filter((r) => r.ts > t1), shifted.filter((r) => r.ts > t1))).toBeUndefined();

    // And the label matters in both periods, for the user and for the address.
    const mine = (rows: RowBytes[], from: number, to: number) => rows.filter((r) => r.userId === event.userId && r.ts > from && r.ts <= to);
    for (const [from, to, rows] of [[t0, t1, full], [t1, Infinity, shifted]] as const) {
      const userRows = mine(rows, from, to);
      const userRowsWithout = mine(without, from, to);
      expect(userRows.length).toBeGreaterThan(0);
      userRows.forEach((r, i) => expect(featureOf(r, 'user_fraud_labels')).toBe(featureOf(userRowsWithout[i] as RowBytes, 'user_fraud_labels') + 1));
      const addressRows = toAddress(rows, address, from, to);
      const addressRowsWithout = toAddress(without, address, from, to);
      expect(addressRows.length).toBeGreaterThan(0);
      addressRows.forEach((r, i) => {
        const w = addressRowsWithout[i] as RowBytes;
        expect(featureOf(r, 'addr_fraud_labels_30d')).toBe(featureOf(w, 'addr_fraud_labels_30d') + 1);
        expect(featureOf(r, 'addr_fraud_share_30d')).toBeGreaterThan(featureOf(w, 'addr_fraud_share_30d'));
      });
    }
  });
});

describe('a duplicated event id', () => {
  it('produces no second row and no state change, within a batch or across batches', async () => {
    const events = data.items.filter((i): i is Extract<PipelineItem, { kind: 'event' }> => i.kind === 'event');
    const login = events.find((i) => i.event.type === 'login' && i.event.success) as PipelineItem;
    const withdrawal = events.find((i) => i.event.type === 'withdrawal') as Extract<PipelineItem, { kind: 'event' }>;
    const items = [...data.items];
    items.splice(items.indexOf(login) + 1, 0, { ...login }); // a client retry, right after
    items.splice(items.indexOf(withdrawal) + 2500, 0, { ...withdrawal }); // a redelivery, batches later
    const once = new MemoryFeatureStore();
    const twice = new MemoryFeatureStore();
    const stats = emptyReplayStats();
    const rowsOnce = await collectRows(replay(data.items, { store: once }));
    const rowsTwice = await collectRows(replay(items, { store: twice, batchSize: 2000 }, stats));

    expect(stats.duplicates).toBe(2);
    expect(firstDifference(rowsOnce, rowsTwice)).toBeUndefined();
    const w = withdrawal.event as Extract<VigilEvent, { type: 'withdrawal' }>;
    const l = (login as Extract<PipelineItem, { kind: 'event' }>).event as Extract<VigilEvent, { type: 'login' }>;
    const entities: [EntityName, string][] = [
      ['user', l.userId],
      ['ip', l.ip],
      ['user', w.userId],
      ['address', addressOf(w) as string],
    ];
    for (const [entity, key] of entities) {
      const a = await once.readState(entity, key);
      const b = await twice.readState(entity, key);
      expect(a).toBeDefined();
      expect(canonical(kindOf(entity) as never, b)).toBe(canonical(kindOf(entity) as never, a));
    }
  });
});
