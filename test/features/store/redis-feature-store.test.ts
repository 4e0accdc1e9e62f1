import { kindOf } from '../../../features/state/entity-kinds';
import type { StoreStep } from '../../../features/store/feature-store';
import { RedisFeatureStore } from '../../../features/store/redis-feature-store';
import type { FeatureStoreCommands } from '../../../features/store/redis-scripts';

// Compaction runs in the background: a step answers without waiting for it, a failed one is only reported, and
// close() waits for those still running. A fake connection stands in for Redis: its tails are always long.

const TAIL_LENGTH = 20;

function fakeRedis(compact: () => Promise<number>) {
  const calls: string[] = [];
  const redis: FeatureStoreCommands = {
    vigilAppend: async (_snap, _tail, _record, _ttl, read) => {
      calls.push('append');
      return read ? [TAIL_LENGTH, '', []] : [TAIL_LENGTH];
    },
    vigilAppendMany: async (keys) => {
      calls.push('appendMany');
      return keys.filter((_, i) => i % 2 === 0).map(() => TAIL_LENGTH);
    },
    vigilRead: async () => {
      calls.push('read');
      return ['', []];
    },
    vigilCompact: () => {
      calls.push('compact');
      return compact();
    },
    vigilSetMany: async (keys) => keys.length,
    mGet: async (keys) => keys.map(() => null),
    close: async () => {
      calls.push('close');
    },
  };
  return { redis, calls };
}

const loginStep = (read: boolean): StoreStep => ({
  read,
  ref: { eventId: 'e1', ref: { userId: 'u1' } },
  updates: [{ entity: 'user', key: 'u1', record: { k: 'login', id: 'e1', ts: 1_000, ok: true, dev: 'd', ip: 'i', net: 'n' } }],
});

it('answers a read step before its compaction is done, and close() waits for it', async () => {
  let finish!: (n: number) => void;
  const { redis, calls } = fakeRedis(() => new Promise<number>((resolve) => (finish = resolve)));
  const store = new RedisFeatureStore(redis, { compactAt: 16 });
  const user = kindOf('user');
  // Encoded as handed over: the store may go on with the state object once onStates has returned.
  const [before] = await store.apply([loginStep(true)], (_i, states) => user.encode(states[0] as ReturnType<typeof user.init>));
  expect(before).toBe(user.encode(user.init()));
  // Compacted from the state the step folded: no read back.
  expect(calls).toEqual(['append', 'compact']);
  let closed = false;
  const closing = store.close().then(() => (closed = true));
  await new Promise((resolve) => setImmediate(resolve));
  expect(closed).toBe(false);
  finish(1);
  await closing;
  expect(calls.at(-1)).toBe('close');
});

it('reports a failed compaction without failing the step', async () => {
  const { redis } = fakeRedis(() => Promise.reject(new Error('connection lost')));
  const errors: string[] = [];
  const store = new RedisFeatureStore(redis, { compactAt: 16, onCompactionError: (err) => errors.push(err.message) });
  await expect(store.apply([loginStep(true)], () => 'answered')).resolves.toEqual(['answered']);
  await store.close();
  expect(errors).toEqual(['connection lost']);
});

it('compacts bulk appends at bulkCompactAt, reading the entity back first', async () => {
  const { redis, calls } = fakeRedis(async () => 1);
  const longEnough = new RedisFeatureStore(redis, { compactAt: 4, bulkCompactAt: TAIL_LENGTH });
  await longEnough.apply([loginStep(false)], () => undefined);
  await longEnough.close();
  expect(calls).toEqual(['appendMany', 'read', 'compact', 'close']);

  const short = fakeRedis(async () => 1);
  const tooShort = new RedisFeatureStore(short.redis, { compactAt: 4, bulkCompactAt: TAIL_LENGTH + 1 });
  await tooShort.apply([loginStep(false)], () => undefined);
  await tooShort.close();
  expect(short.calls).toEqual(['appendMany', 'close']);
});
