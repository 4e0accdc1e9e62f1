import { connectRedis } from '../../../core/redis';
import { ingestItems } from '../../../features/ingest/bulk-ingest';
import type { PipelineItem } from '../../../features/pipeline';
import { sealedLocations } from '../../../features/location-cipher';
import { hmacPseudonymizer } from '../../../features/pseudonymizer';
import type { UserState } from '../../../features/state/user-state';
import type { FeatureStore, StoreStep } from '../../../features/store/feature-store';
import { MemoryFeatureStore } from '../../../features/store/memory-feature-store';
import { RedisFeatureStore } from '../../../features/store/redis-feature-store';
import { FEATURE_STORE_SCRIPTS, type FeatureStoreCommands } from '../../../features/store/redis-scripts';
import { DAY } from '../../../features/transforms/time';
import { startRedisServer, type RedisServer } from '../../harness/redis-server';
import { uniqueKeyPrefix } from '../../harness/redis';
import { canonicalStates, entitiesOf } from '../ingest/canonical-state';

// A server that has none of the store's scripts cached (fresh, restarted, failed over, SCRIPT FLUSH) must apply each
// entity's records in the order sent, as the memory store does. The records below are 40 days apart per entity: one
// applied after a later one would fall outside the 30-day dedupe horizon and be dropped.

const pseudonymize = hmacPseudonymizer(Buffer.alloc(32, 3));
const locations = sealedLocations(Buffer.alloc(32, 3));
const T0 = Date.UTC(2026, 0, 1);
let server: RedisServer;

beforeAll(async () => {
  server = await startRedisServer();
}, 60_000);
afterAll(() => server?.stop());

/** A store on a connection of its own to the test's server, whose script cache has just been flushed. */
async function storeWithoutScripts(): Promise<RedisFeatureStore> {
  const redis = await connectRedis([server.url], { scripts: FEATURE_STORE_SCRIPTS });
  await redis.scriptFlush();
  return new RedisFeatureStore(redis as unknown as FeatureStoreCommands, { keyPrefix: uniqueKeyPrefix() });
}

/** Successful logins a user has made: each counts once in its hour histogram. */
async function successfulLogins(store: FeatureStore, userId: string): Promise<number | undefined> {
  return ((await store.readState('user', userId)) as UserState | undefined)?.hours.reduce((a, b) => a + b, 0);
}

it("bulk ingestion keeps each entity's appends in order", async () => {
  // 4,000 logins in one batch, in time order, 0.4 days apart. Every 100th is u-x's, so u-x has a login in every
  // append chunk, each 40 days after the one before; the other users log in every 120 days.
  const items = Array.from({ length: 4000 }, (_, n): PipelineItem => {
    const tsMs = T0 + n * 0.4 * DAY;
    const userId = n % 100 === 0 ? 'u-x' : `u${n % 300}`;
    return { kind: 'event', tsMs, event: { type: 'login', eventId: `e${n}`, userId, ts: new Date(tsMs).toISOString(), ip: `10.0.${n % 7}.${n % 250}`, deviceId: `d${n}`, success: true } };
  });
  const memory = new MemoryFeatureStore();
  await ingestItems(items, { store: memory, pseudonymize, locations });
  const store = await storeWithoutScripts();
  try {
    await ingestItems(items, { store, pseudonymize, locations, batchSize: items.length });
    expect(await successfulLogins(memory, 'u-x')).toBe(40);
    expect(await successfulLogins(store, 'u-x')).toBe(40);
    const entities = entitiesOf(items, pseudonymize);
    expect(await canonicalStates(store, entities)).toEqual(await canonicalStates(memory, entities));
  } finally {
    await store.close();
  }
}, 60_000);

it("a call of many read steps keeps each entity's appends in order while another instance loads the scripts", async () => {
  // Each of 2,000 users logs in at T0 and again 40 days later, in one call; meanwhile another instance scores an
  // event on a connection of its own, which loads the scripts while the call is under way.
  const login = (userId: string, n: number, ts: number): StoreStep => ({
    read: true,
    updates: [{ entity: 'user', key: userId, record: { k: 'login', id: `e${n}`, ts, ok: true, dev: `d${n}`, ip: 'i', net: 'n', hour: 0 } }],
  });
  const users = Array.from({ length: 2000 }, (_, i) => `u${i}`);
  const steps = [...users.map((u, i) => login(u, i, T0)), ...users.map((u, i) => login(u, users.length + i, T0 + 40 * DAY))];
  const memory = new MemoryFeatureStore();
  await memory.apply(steps, () => undefined);
  const store = await storeWithoutScripts();
  const other = await storeWithoutScripts();
  try {
    await Promise.all([store.apply(steps, () => undefined), other.apply([login('u-other', 0, T0)], () => undefined)]);
    // u0's first login was the call's first command.
    expect(await successfulLogins(store, 'u0')).toBe(2);
    const entities = users.map((u): ['user', string] => ['user', u]);
    expect(await canonicalStates(store, entities)).toEqual(await canonicalStates(memory, entities));
  } finally {
    await Promise.all([store.close(), other.close()]);
  }
}, 60_000);
