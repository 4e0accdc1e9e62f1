import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectRedis, type RedisConnection } from '../../core/redis';
import { featureNames } from '../../features/definitions';
import { ingestItems } from '../../features/ingest/bulk-ingest';
import { FeaturePipeline, type ItemResult, type PipelineItem } from '../../features/pipeline';
import { sealedLocations } from '../../features/location-cipher';
import { hmacPseudonymizer } from '../../features/pseudonymizer';
import type { FeatureStore } from '../../features/store/feature-store';
import { MemoryFeatureStore } from '../../features/store/memory-feature-store';
import { RedisFeatureStore } from '../../features/store/redis-feature-store';
import { FEATURE_STORE_SCRIPTS, type FeatureStoreCommands } from '../../features/store/redis-scripts';
import { readTimeline } from '../../features/timeline';
import { deleteKeysWithPrefix, testRedisUrl, uniqueKeyPrefix, type TestRedisClient } from '../harness/redis';
import { canonicalStates, entitiesOf } from './ingest/canonical-state';

// A label applies only to an event met earlier in the stream (earlier in its batch, or in the store) and timed no
// later than the label, as in the offline replay, which orders by time. Anything else is an unknown event and
// changes nothing, so that state depends neither on how items are cut into batches nor on ingesting them again.

const pseudonymize = hmacPseudonymizer(Buffer.alloc(32, 5));
const locations = sealedLocations(Buffer.alloc(32, 5));
const ADDRESS = 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq';
const at = (hhmm: string) => `2026-03-01T${hhmm}:00Z`;
const login = (eventId: string, userId: string, ts: string) => ({ type: 'login', eventId, userId, ts, ip: '203.0.113.7', deviceId: `d-${eventId}`, success: true });
const withdrawal = (eventId: string, userId: string, ts: string) => ({ type: 'withdrawal', eventId, userId, ts, asset: 'BTC', amount: 0.1, amountUsd: 6000, address: ADDRESS });
const label = (eventId: string, fraud: boolean, ts: string) => ({ eventId, label: fraud ? 'fraud' : 'legit', ts });

/** Events of two users sharing a destination. */
const EVENTS = [login('e1', 'u1', at('10:00')), withdrawal('e4', 'u2', at('10:30')), withdrawal('e2', 'u1', at('11:00')), login('e3', 'u1', at('13:00'))];
/** Labels, each with whether it applies. */
const LABELS = [
  [label('e1', true, at('09:00')), false], // timed before its event
  [label('e4', false, at('10:30')), true], // at its event's time
  [label('e2', true, at('10:45')), false], // timed before its event
  [label('e2', true, at('12:00')), true],
  [label('e9', true, at('12:30')), false], // no such event
] as const;

let dir: string;
let redis: RedisConnection;
const prefixes: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-label-order-'));
  writeFileSync(join(dir, 'events.jsonl'), EVENTS.map((e) => JSON.stringify(e)).join('\n') + '\n');
  writeFileSync(join(dir, 'labels.jsonl'), LABELS.map(([l]) => JSON.stringify(l)).join('\n') + '\n');
  writeFileSync(join(dir, 'applying.jsonl'), LABELS.filter(([, applies]) => applies).map(([l]) => JSON.stringify(l)).join('\n') + '\n');
  redis = await connectRedis([testRedisUrl()], { scripts: FEATURE_STORE_SCRIPTS });
});
afterAll(async () => {
  for (const prefix of prefixes) await deleteKeysWithPrefix(redis as TestRedisClient, prefix);
  await redis.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A Redis store under a prefix of its own, on the shared connection (not closed: the connection outlives it). */
function redisStore(): FeatureStore {
  const keyPrefix = uniqueKeyPrefix();
  prefixes.push(keyPrefix);
  return new RedisFeatureStore(redis as unknown as FeatureStoreCommands, { keyPrefix });
}

const STORES: [string, () => FeatureStore][] = [
  ['the memory store', () => new MemoryFeatureStore()],
  ['the Redis store', redisStore],
];

const timeline = async (labels = 'labels.jsonl') => (await readTimeline({ events: join(dir, 'events.jsonl'), labels: join(dir, labels) })).items;

describe.each(STORES)('%s', (_name, open) => {
  it.each([1, 2, 100])('ingesting the files twice in batches of %i leaves the state of one ingest', async (batchSize) => {
    const items = await timeline();
    const entities = entitiesOf(items, pseudonymize);
    const store = open();
    const first = await ingestItems(items, { store, pseudonymize, locations, batchSize });
    const once = await canonicalStates(store, entities);
    const second = await ingestItems(items, { store, pseudonymize, locations, batchSize });
    expect(await canonicalStates(store, entities)).toEqual(once);
    const unknown = LABELS.filter(([, applies]) => !applies).length;
    expect([first.unknownLabels, second.unknownLabels]).toEqual([unknown, unknown]);
    // The state of the events and only the labels that apply.
    const reference = new MemoryFeatureStore();
    await ingestItems(await timeline('applying.jsonl'), { store: reference, pseudonymize, locations });
    expect(once).toEqual(await canonicalStates(reference, entities));
  });

  it('never lets a label timed before its event change state, even placed after it in the batch', async () => {
    const events = (await timeline()).filter((i) => i.kind === 'event');
    const early = (eventId: string, ts: string): PipelineItem => ({ kind: 'label', label: { eventId, label: 'fraud', ts }, tsMs: Date.parse(ts) });
    // e1's label first, then the events, then e2's label timed 15 minutes before e2.
    const items = [early('e1', at('09:00')), ...events, early('e2', at('10:45'))];
    const entities = entitiesOf(items, pseudonymize);
    const reference = new MemoryFeatureStore();
    await new FeaturePipeline({ store: reference, pseudonymize, locations }).process(events);

    for (const batchSize of [1, items.length]) {
      const store = open();
      const pipeline = new FeaturePipeline({ store, pseudonymize, locations });
      const results: ItemResult[] = [];
      for (let i = 0; i < items.length; i += batchSize) results.push(...(await pipeline.process(items.slice(i, i + batchSize))));
      expect(results[0]).toEqual({ kind: 'unknown_event' });
      expect(results.at(-1)).toEqual({ kind: 'unknown_event' });
      // e1's own features do not count the label before it.
      const e1 = results[1] as Extract<ItemResult, { kind: 'features' }>;
      expect(e1.features[featureNames('login').indexOf('user_fraud_labels')]).toBe(0);
      expect(await canonicalStates(store, entities)).toEqual(await canonicalStates(reference, entities));
    }
  });
});

it('applies a label through a Redis reference written before references held the event time', async () => {
  const store = redisStore();
  const keyPrefix = prefixes.at(-1) as string;
  await redis.set(`${keyPrefix}ev:e-old`, JSON.stringify({ userId: 'u1', address: ADDRESS }));
  const [result] = await new FeaturePipeline({ store, pseudonymize, locations }).process([{ kind: 'label', label: { eventId: 'e-old', label: 'fraud', ts: at('12:00') }, tsMs: Date.parse(at('12:00')) }]);
  expect(result).toEqual({ kind: 'label_applied' });
  expect((await store.readState('user', 'u1'))?.labels.get('e-old')).toEqual([Date.parse(at('12:00')), 1]);
  expect((await store.readState('address', ADDRESS))?.labels.get('e-old')).toEqual([Date.parse(at('12:00')), 1]);
});
