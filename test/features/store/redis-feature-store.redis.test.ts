import { connectRedis } from '../../../core/redis';
import { kindOf } from '../../../features/state/entity-kinds';
import type { UserState } from '../../../features/state/user-state';
import type { StepStates, StoreStep } from '../../../features/store/feature-store';
import { MemoryFeatureStore } from '../../../features/store/memory-feature-store';
import { RedisFeatureStore } from '../../../features/store/redis-feature-store';
import { APPEND, APPEND_MANY, FEATURE_STORE_SCRIPTS, SET_MANY, type FeatureStoreCommands } from '../../../features/store/redis-scripts';
import { connectTestRedis, deleteKeysWithPrefix, testRedisUrl, uniqueKeyPrefix, type TestRedisClient } from '../../harness/redis';

// Compaction runs in the background: a step answers without waiting for it, a failed one is only reported, and
// close() waits for those still running. Against the real server; the store's connection is wrapped only to see
// which scripts it calls and, where a test needs it, to hold a compaction back or break it with a real Redis error.

const user = kindOf('user');
let client: TestRedisClient;
let prefix: string;

beforeAll(async () => {
  client = await connectTestRedis(testRedisUrl());
});
beforeEach(() => {
  prefix = uniqueKeyPrefix();
});
afterEach(() => deleteKeysWithPrefix(client, prefix));
afterAll(() => client.destroy());

type Script = Exclude<keyof FeatureStoreCommands, 'close' | 'eval'>;
/** Names for the calls of scripts sent with EVAL. */
const EVALED = new Map([
  [APPEND, 'append'],
  [APPEND_MANY, 'appendMany'],
  [SET_MANY, 'setMany'],
]);

/**
 * The store's real connection, recording the name of each script it calls. `beforeCompact` runs before a compaction
 * is sent (to hold it back, or to change Redis under it).
 */
async function watchedConnection(beforeCompact: () => Promise<void> = async () => {}) {
  const redis = (await connectRedis([testRedisUrl()], { scripts: FEATURE_STORE_SCRIPTS })) as unknown as FeatureStoreCommands;
  const calls: string[] = [];
  const record =
    <N extends Script>(name: N) =>
    (...args: Parameters<FeatureStoreCommands[N]>) => {
      calls.push(name);
      return (redis[name] as (...a: unknown[]) => ReturnType<FeatureStoreCommands[N]>)(...args);
    };
  const watched: FeatureStoreCommands = {
    eval: (script, call) => {
      calls.push(EVALED.get(script) ?? 'unknown script');
      return redis.eval(script, call);
    },
    vigilRead: record('vigilRead'),
    mGet: record('mGet'),
    vigilCompact: async (...args) => {
      await beforeCompact();
      return record('vigilCompact')(...args);
    },
    close: () => redis.close(),
  };
  return { redis: watched, calls };
}

const loginStep = (n: number, read: boolean): StoreStep => ({
  read,
  ref: { eventId: `e${n}`, ref: { userId: 'u1', ts: 1_000 * n } },
  updates: [{ entity: 'user', key: 'u1', record: { k: 'login', id: `e${n}`, ts: 1_000 * n, ok: true, dev: `d${n % 3}`, ip: 'i', net: 'n', hour: 0 } }],
});

/** The user's state after `steps` in the memory store, encoded. */
async function memoryState(steps: StoreStep[]): Promise<string> {
  const memory = new MemoryFeatureStore();
  await memory.apply(steps, () => undefined);
  return user.encode((await memory.readState('user', 'u1')) as UserState);
}

const snapshotKey = () => `${prefix}{u:u1}:s`;
const tailKey = () => `${prefix}{u:u1}:t`;

it('answers a read step before its compaction is done, and close() waits for it', async () => {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const { redis, calls } = await watchedConnection(() => held);
  const store = new RedisFeatureStore(redis, { keyPrefix: prefix, compactAt: 2 });
  await store.apply([loginStep(1, true)], () => undefined);
  // Encoded as handed over: the store may go on with the state object once onStates has returned.
  const [before] = await store.apply([loginStep(2, true)], (_i, states) => user.encode(states[0] as UserState));
  expect(before).toBe(await memoryState([loginStep(1, true)]));
  // The tail reached compactAt: a compaction is under way, from the state the step folded (nothing read back), and
  // held before it reaches Redis.
  expect(calls.filter((c) => c !== 'setMany')).toEqual(['append', 'append']);
  expect(await client.lLen(tailKey())).toBe(2);

  let closed = false;
  const closing = store.close().then(() => (closed = true));
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(closed).toBe(false);
  release();
  await closing;
  expect(calls.at(-1)).toBe('vigilCompact');
  // Both records are folded into the snapshot, which is the memory store's state after them.
  expect(await client.lLen(tailKey())).toBe(0);
  expect(await client.get(snapshotKey())).toBe(await memoryState([loginStep(1, true), loginStep(2, true)]));
});

it('reports a failed compaction without failing the step, and loses no record', async () => {
  // Redis refuses the compaction for real: the snapshot key turns into a list just before it is sent.
  const { redis } = await watchedConnection(async () => {
    await client.rPush(snapshotKey(), 'not a snapshot');
  });
  const errors: string[] = [];
  const store = new RedisFeatureStore(redis, { keyPrefix: prefix, compactAt: 1, onCompactionError: (err) => errors.push(err.message) });
  await expect(store.apply([loginStep(1, true)], () => 'answered')).resolves.toEqual(['answered']);
  await store.close();
  expect(errors).toHaveLength(1);
  expect(errors[0]).toMatch(/WRONGTYPE/);
  expect(await client.lRange(tailKey(), 0, -1)).toEqual([JSON.stringify(loginStep(1, true).updates[0]?.record)]);
});

it('compacts bulk appends once the tail reaches bulkCompactAt, reading the entity back first', async () => {
  const steps = [1, 2, 3].map((n) => loginStep(n, false));
  const { redis, calls } = await watchedConnection();
  const store = new RedisFeatureStore(redis, { keyPrefix: prefix, compactAt: 1, bulkCompactAt: 3 });
  await store.apply(steps.slice(0, 2), () => undefined);
  // Two records: shorter than bulkCompactAt (compactAt is for read steps), so nothing is compacted.
  expect(calls.filter((c) => c !== 'setMany')).toEqual(['appendMany']);
  expect(await client.lLen(tailKey())).toBe(2);

  await store.apply(steps.slice(2), () => undefined);
  await store.close();
  expect(calls.filter((c) => c !== 'setMany')).toEqual(['appendMany', 'appendMany', 'vigilRead', 'vigilCompact']);
  expect(await client.lLen(tailKey())).toBe(0);
  expect(await client.get(snapshotKey())).toBe(await memoryState(steps));
});

it('steps on one entity sent before the earlier ones are answered each get the state before them', async () => {
  const store = new RedisFeatureStore((await watchedConnection()).redis, { keyPrefix: prefix, compactAt: 4 });
  const steps = Array.from({ length: 12 }, (_, n) => loginStep(n + 1, true));
  const encoded = (_i: number, states: StepStates) => user.encode(states[0] as UserState);
  try {
    await store.apply([steps[0] as StoreStep], encoded);
    // Eleven calls at once, compactions under way: each must see exactly the records sent before it.
    const before = await Promise.all(steps.slice(1).map((step) => store.apply([step], encoded)));
    const expected = await Promise.all(steps.slice(1).map((_, n) => memoryState(steps.slice(0, n + 1))));
    expect(before.map(([b]) => b)).toEqual(expected);
    const [last] = await store.apply([loginStep(13, true)], encoded);
    expect(last).toBe(await memoryState(steps));
  } finally {
    await store.close();
  }
});
