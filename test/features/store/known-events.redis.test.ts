import { connectRedis } from '../../../core/redis';
import type { FeatureStore, StoreStep } from '../../../features/store/feature-store';
import { MemoryFeatureStore } from '../../../features/store/memory-feature-store';
import { RedisFeatureStore } from '../../../features/store/redis-feature-store';
import { FEATURE_STORE_SCRIPTS, type FeatureStoreCommands } from '../../../features/store/redis-scripts';
import { startRedisCluster, type RedisTestCluster } from '../../harness/redis-server';
import { connectTestRedis, deleteKeysWithPrefix, testRedisUrl, uniqueKeyPrefix } from '../../harness/redis';

// A store tells which steps carry an event it met before (by the event's label reference), without reading any state:
// what ingestion counts duplicates by. The same on every backend, with and without reads, within a call and across.

let cluster: RedisTestCluster;
beforeAll(async () => {
  cluster = await startRedisCluster({ masters: 3 });
}, 120_000);
afterAll(() => cluster?.stop());

const change = (id: string, user: string, read: boolean): StoreStep => ({
  read,
  ref: { eventId: id, ref: { userId: user, ts: 1_000 } },
  updates: [{ entity: 'user', key: user, record: { k: 'change', id, ts: 1_000, change: 'password_reset' } }],
});
/** A label step: no reference, so never "known". */
const label = (id: string, user: string): StoreStep => ({ read: false, updates: [{ entity: 'user', key: user, record: { k: 'label', id, ts: 2_000, fraud: true } }] });

async function knownSteps(store: FeatureStore, steps: StoreStep[]): Promise<number[]> {
  const known: number[] = [];
  await store.apply(steps, () => undefined, (i) => known.push(i));
  return known.sort((a, b) => a - b);
}

it.each([
  ['memory', async () => ({ store: new MemoryFeatureStore() as FeatureStore, cleanup: async () => {} })],
  ['a single Redis node', async () => redisStore([testRedisUrl()], false)],
  ['a 3-master Redis cluster', async () => redisStore(cluster.urls, true)],
])('%s tells the steps whose event it met before, within the call or earlier', async (_name, open) => {
  const { store, cleanup } = await open();
  try {
    // Forty users spread over the cluster's slots; e3 comes twice in the first call.
    const users = Array.from({ length: 40 }, (_, n) => `u${n}`);
    const first = [...users.map((u, n) => change(`e${n}`, u, false)), label('e0', 'u0'), change('e3', 'u3', false)];
    expect(await knownSteps(store, first)).toEqual([41]);
    // Again, now with reads: every event was met; a new one was not.
    const second = [change('e7', 'u7', true), change('new', 'u8', true), change('e39', 'u39', false)];
    expect(await knownSteps(store, second)).toEqual([0, 2]);
  } finally {
    await store.close();
    await cleanup();
  }
}, 60_000);

async function redisStore(urls: string[], isCluster: boolean): Promise<{ store: FeatureStore; cleanup: () => Promise<void> }> {
  const redis = await connectRedis(urls, { scripts: FEATURE_STORE_SCRIPTS });
  const keyPrefix = uniqueKeyPrefix();
  const store = new RedisFeatureStore(redis as unknown as FeatureStoreCommands, { keyPrefix, cluster: isCluster });
  return {
    store,
    cleanup: async () => {
      if (isCluster) return; // the cluster is stopped with its keys
      const client = await connectTestRedis(testRedisUrl());
      await deleteKeysWithPrefix(client, keyPrefix);
      client.destroy();
    },
  };
}
