import { setTimeout as delay } from 'node:timers/promises';
import { UnrecoverableError } from 'bullmq';
import type { RedisClientType } from 'redis';
import { UnavailableError } from '../../../core/errors';
import { createLogger } from '../../../core/logger';
import { connectRedis, type RedisConnection } from '../../../core/redis';
import { createBatchProcessor } from '../../../features/ingest/batch-processor';
import { enqueueBatch, openEventQueue } from '../../../features/ingest/event-queue';
import { outagePauseMs, startEventWorker } from '../../../features/ingest/event-worker';
import { connectQueueRedis } from '../../../features/ingest/queue-connection';
import { FeaturePipeline } from '../../../features/pipeline';
import { MemoryFeatureStore } from '../../../features/store/memory-feature-store';
import { RedisFeatureStore } from '../../../features/store/redis-feature-store';
import { FEATURE_STORE_SCRIPTS, type FeatureStoreCommands } from '../../../features/store/redis-scripts';
import { deleteKeysWithPrefix, testRedisUrl, uniqueKeyPrefix, type TestRedisClient } from '../../harness/redis';
import { startRedisServer, type RedisServer } from '../../harness/redis-server';

const log = createLogger('silent');
const login = { type: 'login', eventId: 'e1', userId: 'u1', ts: '2026-01-05T10:00:00Z', ip: '203.0.113.7', deviceId: 'd1', success: true };

let server: RedisServer;
let storeRedis: RedisConnection;
let queueRedis: RedisClientType;
let prefix: string;

beforeAll(async () => {
  server = await startRedisServer();
  storeRedis = await connectRedis([server.url], { scripts: FEATURE_STORE_SCRIPTS });
  queueRedis = await connectQueueRedis([testRedisUrl()], log);
});
afterAll(async () => {
  await queueRedis.close();
  await storeRedis.close();
  await server.stop();
});
beforeEach(() => {
  prefix = uniqueKeyPrefix();
});
afterEach(async () => {
  await deleteKeysWithPrefix(queueRedis as unknown as TestRedisClient, prefix);
});

const store = () => new RedisFeatureStore(storeRedis as unknown as FeatureStoreCommands, { keyPrefix: prefix });

describe('batch processor failures', () => {
  it('fails a payload that is no batch as unrecoverable, and lets an unreachable feature store through as UnavailableError', async () => {
    const noDeadLetters = async () => {};
    const garbage = createBatchProcessor({ pipeline: new FeaturePipeline({ store: new MemoryFeatureStore() }), deadLetter: noDeadLetters });
    await expect(garbage({ id: 'j1', data: 42 })).rejects.toThrow(UnrecoverableError);

    await server.kill();
    try {
      const down = createBatchProcessor({ pipeline: new FeaturePipeline({ store: store() }), deadLetter: noDeadLetters });
      await expect(down({ id: 'j2', data: { items: [{ kind: 'event', value: login }] } })).rejects.toThrow(UnavailableError);
    } finally {
      await server.restart();
    }
  });
});

describe('startEventWorker', () => {
  it('pauses with growing waits while the feature store is down', () => {
    expect([0, 1, 2, 3, 4, 5, 6].map(outagePauseMs)).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000]);
  });

  it('keeps batches in order through a feature-store outage and applies them once it is back', async () => {
    const queue = openEventQueue(queueRedis, prefix);
    const worker = await startEventWorker({ connection: queueRedis, keyPrefix: prefix, pipeline: new FeaturePipeline({ store: store() }), log });
    try {
      await server.kill();
      const first = await enqueueBatch(queue, { items: [{ kind: 'event', value: login }] });
      // The second batch labels the first one's event: applied out of order, the label would find no event.
      const second = await enqueueBatch(queue, {
        items: [
          { kind: 'label', value: { eventId: 'e1', label: 'fraud', ts: '2026-01-06T00:00:00Z' } },
          { kind: 'event', value: { ...login, eventId: 'e2', ts: '2026-01-06T01:00:00Z' } },
        ],
      });
      // Twice the first batch is tried, put back at the head of the queue (not failed: no "delayed" retry) and the
      // queue paused; the second batch is not even tried.
      while (worker.totals.pauses < 2 || (await queue.getJobState(first.jobId)) !== 'waiting') await delay(10);
      expect(await queue.getJobState(second.jobId)).toBe('waiting');
      expect(worker.totals.failures).toBe(0);
      await server.restart();
      while ((await queue.getJobState(second.jobId)) !== 'completed') await delay(20);

      const [a, b] = await Promise.all([queue.getJob(first.jobId), queue.getJob(second.jobId)]);
      expect(a?.finishedOn).toBeLessThanOrEqual(b?.finishedOn as number);
      expect(worker.totals).toMatchObject({ jobs: 2, events: 2, labels: 1, unknownLabels: 0, failures: 0 });
      const user = await store().readState('user', 'u1');
      expect([...(user?.seen.keys() ?? [])].sort()).toEqual(['e1', 'e2']);
      expect(user?.labels.get('e1')).toEqual([Date.parse('2026-01-06T00:00:00Z'), 1]);
    } finally {
      await worker.close();
      await queue.close();
    }
  });
});
