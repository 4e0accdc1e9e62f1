import { connectRedis } from '../../../core/redis';
import { APPEND, appendCall, FEATURE_STORE_SCRIPTS, type FeatureStoreCommands } from '../../../features/store/redis-scripts';
import { connectTestRedis, deleteKeysWithPrefix, testRedisUrl, uniqueKeyPrefix, type TestRedisClient } from '../../harness/redis';

// The compare-and-set that folds an entity's tail into its snapshot, raced as two instances would race it: both read
// the entity, one compacts, more records arrive, then the other tries with what it read.
const TTL_MS = 60_000;
let redis: FeatureStoreCommands;
let client: TestRedisClient;
let prefix: string;
let snapKey: string;
let tailKey: string;

beforeEach(async () => {
  redis = (await connectRedis([testRedisUrl()], { scripts: FEATURE_STORE_SCRIPTS })) as unknown as FeatureStoreCommands;
  client = await connectTestRedis(testRedisUrl());
  prefix = uniqueKeyPrefix();
  [snapKey, tailKey] = [`${prefix}{u:u1}:s`, `${prefix}{u:u1}:t`];
});
afterEach(async () => {
  await deleteKeysWithPrefix(client, prefix);
  client.destroy();
  await redis.close();
});

const append = (record: string) => redis.eval(APPEND, appendCall(snapKey, tailKey, record, TTL_MS, false));

it('a compaction that lost the race drops nothing, even when the winner left the snapshot as it was', async () => {
  await client.set(snapKey, 'S');
  await append('r1');
  const [snap, tail] = await redis.vigilRead(snapKey, tailKey);
  // The winner: its fold of r1 changed nothing (a repeated event, say), so the snapshot stays 'S'.
  expect(await redis.vigilCompact(snapKey, tailKey, snap, 'S', tail, TTL_MS)).toBe(1);
  await append('r2');
  // The loser read the same ('S', [r1]): the snapshot matches, but r1 is gone and r2 is not folded anywhere.
  expect(await redis.vigilCompact(snapKey, tailKey, snap, 'S', tail, TTL_MS)).toBe(0);
  expect(await redis.vigilRead(snapKey, tailKey)).toEqual(['S', ['r2']]);
});

it('folds exactly the records it read, leaving those appended since', async () => {
  await append('r1');
  await append('r2');
  const [snap, tail] = await redis.vigilRead(snapKey, tailKey);
  await append('r3');
  expect(await redis.vigilCompact(snapKey, tailKey, snap, 'S12', tail, TTL_MS)).toBe(1);
  expect(await redis.vigilRead(snapKey, tailKey)).toEqual(['S12', ['r3']]);
  expect(await client.pTTL(snapKey)).toBeGreaterThan(0);
});

it('refuses when the snapshot moved', async () => {
  await client.set(snapKey, 'S');
  await append('r1');
  const [snap, tail] = await redis.vigilRead(snapKey, tailKey);
  await client.set(snapKey, 'S-by-another');
  expect(await redis.vigilCompact(snapKey, tailKey, snap, 'S1', tail, TTL_MS)).toBe(0);
  expect(await redis.vigilRead(snapKey, tailKey)).toEqual(['S-by-another', ['r1']]);
});
