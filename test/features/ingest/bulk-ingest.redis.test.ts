import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connectRedis, type RedisConnection } from '../../../core/redis';
import { ingestItems } from '../../../features/ingest/bulk-ingest';
import { sealedLocations } from '../../../features/location-cipher';
import { hmacPseudonymizer } from '../../../features/pseudonymizer';
import { MemoryFeatureStore } from '../../../features/store/memory-feature-store';
import { RedisFeatureStore } from '../../../features/store/redis-feature-store';
import { FEATURE_STORE_SCRIPTS, type FeatureStoreCommands } from '../../../features/store/redis-scripts';
import { readTimeline } from '../../../features/timeline';
import { deleteKeysWithPrefix, testRedisUrl, uniqueKeyPrefix, type TestRedisClient } from '../../harness/redis';
import { canonicalStates, entitiesOf } from './canonical-state';
import { generateTestDataset, type TestDataset } from './dataset';
import { TEST_PII_KEY_HEX, resultOf, runVigil, vigilEnv } from './vigil-process';

const pseudonymize = hmacPseudonymizer(Buffer.from(TEST_PII_KEY_HEX, 'hex'));
const locations = sealedLocations(Buffer.from(TEST_PII_KEY_HEX, 'hex'));
/** Each test starts `vigil` processes; on a busy machine each can take seconds to start. */
const PROCESS_TEST_TIMEOUT_MS = 180_000;

let data: TestDataset;
let redis: RedisConnection;
let prefix: string;

beforeAll(async () => {
  data = await generateTestDataset();
  redis = await connectRedis([testRedisUrl()], { scripts: FEATURE_STORE_SCRIPTS });
}, PROCESS_TEST_TIMEOUT_MS);
afterAll(async () => {
  await redis.close();
  data.remove();
});
beforeEach(() => {
  prefix = uniqueKeyPrefix();
});
afterEach(async () => {
  await deleteKeysWithPrefix(redis as TestRedisClient, prefix);
});

/** The store under `prefix` on the shared connection (not closed: the connection outlives it). */
const storeAt = (keyPrefix: string) => new RedisFeatureStore(redis as unknown as FeatureStoreCommands, { keyPrefix });

interface IngestResult {
  events: number;
  labels: number;
  duplicates: number;
  unknownLabels: number;
  invalid: number;
  seconds: number;
  eventsPerSecond: number;
}

describe('vigil ingest', () => {
  it('ingesting a data set twice leaves the state of one ingest, and that state is the memory replay of the same timeline', async () => {
    const { items } = await readTimeline({ events: data.events, labels: data.labels });
    const events = items.filter((i) => i.kind === 'event').length;
    const entities = entitiesOf(items, pseudonymize);
    const env = vigilEnv(testRedisUrl(), prefix);
    const args = ['ingest', '--events', data.events, '--labels', data.labels, '--batch-size', '500'];

    const first = resultOf<IngestResult>(await runVigil(args, env));
    expect(first).toMatchObject({ events, labels: items.length - events, duplicates: 0, invalid: 0 });
    expect(first.eventsPerSecond).toBeGreaterThan(0);
    const once = await canonicalStates(storeAt(prefix), entities);

    const second = resultOf<IngestResult>(await runVigil(args, env));
    expect(second).toMatchObject({ events, duplicates: events, unknownLabels: first.unknownLabels });
    const twice = await canonicalStates(storeAt(prefix), entities);

    const memory = new MemoryFeatureStore();
    await ingestItems(items, { store: memory, pseudonymize, locations });
    const replayed = await canonicalStates(memory, entities);

    // Every entity of the timeline has a state (a user, IP or address the ingest missed would read "(undefined)").
    expect([...once.values()].filter((s) => s === '"(undefined)"')).toEqual([]);
    expect(twice).toEqual(once);
    expect(once).toEqual(replayed);
  }, PROCESS_TEST_TIMEOUT_MS);

  it('keeps no IP, device id or coordinates in clear in Redis, yet measures distances from the stored locations', async () => {
    const { items } = await readTimeline({ events: data.events, labels: data.labels });
    resultOf<IngestResult>(await runVigil(['ingest', '--events', data.events, '--labels', data.labels], vigilEnv(testRedisUrl(), prefix)));

    const keys = await redis.keys(`${prefix}*`);
    const values = await Promise.all(
      keys.map(async (key) => ((await redis.type(key)) === 'list' ? (await redis.lRange(key, 0, -1)).join('\n') : String(await redis.get(key)))),
    );
    const stored = [...keys, ...values].join('\n');
    const logins = items.flatMap((i) => (i.kind === 'event' && i.event.type === 'login' ? [i.event] : []));
    const located = logins.filter((e) => e.lat !== undefined && e.lon !== undefined);
    expect(located.length).toBeGreaterThan(500);
    // A coordinate as JSON writes it, between JSON delimiters (so that an amount or a time holding its digits does not count).
    const inClear = (x: number) => new RegExp(`[\\[:,]${String(x).replace('.', '\\.')}[,\\]}]`).test(stored);
    expect(located.filter((e) => inClear(e.lat as number) || inClear(e.lon as number)).map((e) => e.eventId)).toEqual([]);
    expect(stored).not.toMatch(/"(lat|lon)"/);
    expect(logins.filter((e) => stored.includes(e.ip) || stored.includes(e.deviceId)).map((e) => e.eventId)).toEqual([]);

    // The sealed location opens to the last located login's coordinates.
    const user = located.at(-1)?.userId as string;
    const last = located.filter((e) => e.userId === user && e.success).at(-1);
    const state = await storeAt(prefix).readState('user', user);
    expect(typeof state?.lastLocated?.loc).toBe('string');
    expect(locations.open(state?.lastLocated?.loc as string)).toEqual([last?.lat, last?.lon]);
  }, PROCESS_TEST_TIMEOUT_MS);

  it('refuses to run without REDIS_URL, naming the variable', async () => {
    const run = await runVigil(['ingest', '--events', data.events], vigilEnv(undefined, prefix));
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/REDIS_URL: required by `vigil ingest`/);
    expect(run.stdout).toBe('');
  }, PROCESS_TEST_TIMEOUT_MS);

  it('stops at a bad line in strict mode, naming file:line:field, and writes nothing to Redis', async () => {
    const good = (i: number) => ({ type: 'login', eventId: `e${i}`, userId: 'u1', ts: `2026-01-05T10:0${i}:00Z`, ip: '203.0.113.7', deviceId: 'd1', success: true });
    const bad = { type: 'withdrawal', eventId: 'e9', userId: 'u1', ts: '2026-01-05T10:09:00Z', asset: 'BTC', amount: -1, address: 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq' };
    const file = join(data.dir, 'bad-events.jsonl');
    writeFileSync(file, [good(1), good(2), bad, good(3)].map((e) => JSON.stringify(e)).join('\n') + '\n');

    const run = await runVigil(['ingest', '--events', file, '--strict'], vigilEnv(testRedisUrl(), prefix));
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${file}:3: amount: must not be negative`);
    expect(await redis.keys(`${prefix}*`)).toEqual([]);

    // The same file with --skip-invalid ingests the three good lines and counts the bad one.
    const skipped = resultOf<IngestResult>(await runVigil(['ingest', '--events', file, '--skip-invalid'], vigilEnv(testRedisUrl(), prefix)));
    expect(skipped).toMatchObject({ events: 3, invalid: 1 });
    const user = await storeAt(prefix).readState('user', 'u1');
    expect([...(user?.seen.keys() ?? [])].sort()).toEqual(['e1', 'e2', 'e3']);
  }, PROCESS_TEST_TIMEOUT_MS);
});
