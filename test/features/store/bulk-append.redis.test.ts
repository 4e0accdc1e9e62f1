import { connectRedis } from '../../../core/redis';
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
