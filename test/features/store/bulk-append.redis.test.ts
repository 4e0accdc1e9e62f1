import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { connectRedis } from '../../../core/redis';
import { parseEvent } from '../../../data/schemas';
import { FeaturePipeline, type PipelineItem } from '../../../features/pipeline';
import { hmacPseudonymizer } from '../../../features/pseudonymizer';
import type { FeatureStore } from '../../../features/store/feature-store';
import { MemoryFeatureStore } from '../../../features/store/memory-feature-store';
import { RedisFeatureStore } from '../../../features/store/redis-feature-store';
import { FEATURE_STORE_SCRIPTS, type FeatureStoreCommands } from '../../../features/store/redis-scripts';
import { startRedisCluster, type RedisTestCluster } from '../../harness/redis-server';
import { connectTestRedis, deleteKeysWithPrefix, testRedisUrl, uniqueKeyPrefix } from '../../harness/redis';
import { generatedDataset, type GeneratedDataset } from '../generated-dataset';
import { canonicalStates, entitiesOf } from '../ingest/canonical-state';

// Bulk ingestion (no features read back) sends many entities' appends per script call; on a cluster they are
// grouped per hash slot. Either way the state must be the memory replay's.
const pseudonymize = hmacPseudonymizer(Buffer.alloc(32, 9));
let data: GeneratedDataset;
let cluster: RedisTestCluster;

beforeAll(async () => {
  data = await generatedDataset({ users: 120, days: 10, seed: 5 });
  cluster = await startRedisCluster({ masters: 3 });
}, 120_000);
afterAll(async () => {
  await cluster?.stop();
  data?.cleanup();
});

async function ingest(store: FeatureStore, items: readonly PipelineItem[]): Promise<void> {
  const pipeline = new FeaturePipeline({ store, pseudonymize });
  for (let i = 0; i < items.length; i += 700) await pipeline.process(items.slice(i, i + 700), { features: false });
}

it.each([
  ['a single node', () => [testRedisUrl()], false],
  ['a 3-master cluster', () => cluster.urls, true],
])('bulk appends on %s end in the memory replay state, compaction included', async (_name, urls, isCluster) => {
  const memory = new MemoryFeatureStore();
  await ingest(memory, data.items);
  const redis = await connectRedis(urls(), { scripts: FEATURE_STORE_SCRIPTS });
  const keyPrefix = uniqueKeyPrefix();
  const store = new RedisFeatureStore(redis as unknown as FeatureStoreCommands, { keyPrefix, compactAt: 7, bulkCompactAt: 7, cluster: isCluster });
  try {
    await ingest(store, data.items);
    const entities = entitiesOf(data.items, pseudonymize);
    expect(entities.length).toBeGreaterThan(200);
    expect(await canonicalStates(store, entities)).toEqual(await canonicalStates(memory, entities));
  } finally {
    await store.close();
    if (!isCluster) {
      const client = await connectTestRedis(testRedisUrl());
      await deleteKeysWithPrefix(client, keyPrefix);
      client.destroy();
    }
  }
}, 120_000);

it('a flood on one entity within one batch, more records than one call takes, ends in the memory replay state', async () => {
  // 700 failed logins on one account from one IP and device, then a success from elsewhere, in one store call: the
  // account's, the IP's and the device's records span several calls and must stay in order.
  const T0 = Date.parse('2026-03-01T10:00:00Z');
  const events = Array.from({ length: 700 }, (_, i) => ({ type: 'login', eventId: `f${i}`, userId: 'victim', ts: new Date(T0 + i * 250).toISOString(), ip: '198.51.100.9', deviceId: 'dv-bot', success: false }));
  events.push({ type: 'login', eventId: 'ok', userId: 'victim', ts: new Date(T0 + 700 * 250).toISOString(), ip: '192.0.2.44', deviceId: 'dv-own', success: true });
  const items: PipelineItem[] = events.map((e) => ({ kind: 'event', event: parseEvent(e), tsMs: Date.parse(e.ts) }));
  const memory = new MemoryFeatureStore();
  await new FeaturePipeline({ store: memory, pseudonymize }).process(items, { features: false });
  const redis = await connectRedis([testRedisUrl()], { scripts: FEATURE_STORE_SCRIPTS });
  const keyPrefix = uniqueKeyPrefix();
  const store = new RedisFeatureStore(redis as unknown as FeatureStoreCommands, { keyPrefix, bulkCompactAt: 100_000 });
  try {
    await new FeaturePipeline({ store, pseudonymize }).process(items, { features: false });
    const entities = entitiesOf(items, pseudonymize);
    expect(await canonicalStates(store, entities)).toEqual(await canonicalStates(memory, entities));
    const victim = await store.readState('user', 'victim');
    expect(victim?.loginTs).toHaveLength(701);
    expect(victim?.loginOk.slice(-2)).toEqual([0, 1]);
  } finally {
    await store.close();
    const client = await connectTestRedis(testRedisUrl());
    await deleteKeysWithPrefix(client, keyPrefix);
    client.destroy();
  }
}, 60_000);

it('a bulk append call that fails while later chunks are still being sent rejects the step, with no unhandled rejection', async () => {
  // In a Node process of its own: Jest keeps unhandled rejections from reaching a test's listeners.
  const keyPrefix = uniqueKeyPrefix();
  const client = await connectTestRedis(testRedisUrl());
  const script = `
    const { connectRedis } = require(${JSON.stringify(require.resolve('../../../core/redis'))});
    const { RedisFeatureStore } = require(${JSON.stringify(require.resolve('../../../features/store/redis-feature-store'))});
    const { FEATURE_STORE_SCRIPTS } = require(${JSON.stringify(require.resolve('../../../features/store/redis-scripts'))});
    const unhandled = [];
    process.on('unhandledRejection', (reason) => unhandled.push(String(reason)));
    (async () => {
      const redis = await connectRedis([process.env.URL], { scripts: FEATURE_STORE_SCRIPTS });
      const store = new RedisFeatureStore(redis, { keyPrefix: process.env.PREFIX });
      // 2,000 users, one account change each: several append chunks, the first of which fails.
      const steps = Array.from({ length: 2000 }, (_, i) => ({
        read: false,
        updates: [{ entity: 'user', key: 'u' + i, record: { k: 'change', id: 'e' + i, ts: i, change: 'password_reset' } }],
      }));
      let rejected = null;
      await store.apply(steps, () => undefined).catch((err) => (rejected = err.message));
      await new Promise((resolve) => setTimeout(resolve, 100));
      await store.close();
      process.stdout.write(JSON.stringify({ rejected, unhandled }) + '\\n');
    })();`;
  try {
    // The first user's tail is a string: the first chunk's script fails (WRONGTYPE); the chunks after it still go out.
    await client.set(`${keyPrefix}{u:u0}:t`, 'not a list');
    const child = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), '-e', script], {
      env: { ...process.env, URL: testRedisUrl(), PREFIX: keyPrefix },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
    const outcome = JSON.parse(line) as { rejected: string | null; unhandled: string[] };
    expect(outcome.rejected).toMatch(/WRONGTYPE/);
    expect(outcome.unhandled).toEqual([]);
    // The later chunks went out: their users' records are there.
    expect(await client.lLen(`${keyPrefix}{u:u1999}:t`)).toBe(1);
  } finally {
    await deleteKeysWithPrefix(client, keyPrefix);
    client.destroy();
  }
}, 60_000);
