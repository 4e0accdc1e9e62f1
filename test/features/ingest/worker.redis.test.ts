import { setTimeout as delay } from 'node:timers/promises';
import type { Queue } from 'bullmq';
import type { RedisClientType } from 'redis';
import { createLogger } from '../../../core/logger';
import { connectRedis, type RedisConnection } from '../../../core/redis';
import { ingestItems } from '../../../features/ingest/bulk-ingest';
import { openDeadLetterQueue, readDeadLetters } from '../../../features/ingest/dead-letters';
import { enqueueBatch, openEventQueue, type EventBatch } from '../../../features/ingest/event-queue';
import { connectQueueRedis } from '../../../features/ingest/queue-connection';
import { sealedLocations } from '../../../features/location-cipher';
import { hmacPseudonymizer } from '../../../features/pseudonymizer';
import { RedisFeatureStore } from '../../../features/store/redis-feature-store';
import { FEATURE_STORE_SCRIPTS, type FeatureStoreCommands } from '../../../features/store/redis-scripts';
import { readTimeline } from '../../../features/timeline';
import { deleteKeysWithPrefix, testRedisUrl, uniqueKeyPrefix, type TestRedisClient } from '../../harness/redis';
import { canonicalStates, entitiesOf } from './canonical-state';
import { generateTestDataset, type TestDataset } from './dataset';
import { TEST_PII_KEY_HEX, resultOf, runVigil, spawnVigil, vigilEnv, type VigilProcess } from './vigil-process';

const pseudonymize = hmacPseudonymizer(Buffer.from(TEST_PII_KEY_HEX, 'hex'));
const locations = sealedLocations(Buffer.from(TEST_PII_KEY_HEX, 'hex'));
/** Short locks so that a killed worker's batch is redelivered within a few seconds (production: 30 s). */
const FAST_RECOVERY = ['--lock-duration', '1500', '--stalled-interval', '500'];
/** Each test starts several `vigil` processes; on a busy machine each can take seconds to start. */
const PROCESS_TEST_TIMEOUT_MS = 240_000;

let data: TestDataset;
let redis: RedisConnection;
let queueRedis: RedisClientType;
let prefix: string;
let cleanPrefix: string;
let queue: Queue<EventBatch>;
const workers: VigilProcess[] = [];

beforeAll(async () => {
  data = await generateTestDataset();
  redis = await connectRedis([testRedisUrl()], { scripts: FEATURE_STORE_SCRIPTS });
  queueRedis = await connectQueueRedis([testRedisUrl()], createLogger('silent'));
}, PROCESS_TEST_TIMEOUT_MS);
afterAll(async () => {
  await queueRedis.close();
  await redis.close();
  data.remove();
});
beforeEach(() => {
  prefix = uniqueKeyPrefix();
  cleanPrefix = uniqueKeyPrefix();
  queue = openEventQueue(queueRedis, prefix);
});
afterEach(async () => {
  for (const w of workers.splice(0)) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
  await queue.close();
  await deleteKeysWithPrefix(redis as TestRedisClient, prefix);
  await deleteKeysWithPrefix(redis as TestRedisClient, cleanPrefix);
});

const storeAt = (keyPrefix: string) => new RedisFeatureStore(redis as unknown as FeatureStoreCommands, { keyPrefix });

function startWorker(args: string[] = FAST_RECOVERY): VigilProcess {
  const worker = spawnVigil(['worker', ...args], vigilEnv(testRedisUrl(), prefix));
  workers.push(worker);
  return worker;
}

/**
 * Polls until `done` holds (the worker is another process: there is nothing to await but its effects). If the
 * worker exits meanwhile, fails at once with its stderr rather than at the timeout.
 */
async function until(what: string, done: () => Promise<boolean>, worker: VigilProcess, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (worker.child.exitCode !== null || worker.child.signalCode !== null) {
      throw new Error(`the worker exited (${worker.child.exitCode ?? worker.child.signalCode}) before ${what}; its stderr:\n${worker.stderr()}`);
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}; the worker's stderr:\n${worker.stderr()}`);
    await delay(10);
  }
}

const drained = async (jobs: number) => {
  const c = await queue.getJobCounts('completed', 'waiting', 'active', 'delayed', 'failed');
  if ((c.failed ?? 0) > 0) throw new Error(`a batch failed: ${JSON.stringify(c)}`);
  return c.completed === jobs && c.waiting === 0 && c.active === 0 && c.delayed === 0;
};

/** The canonical state after one clean in-process ingest of the data set, under `cleanPrefix`. */
async function cleanIngestStates() {
  const { items } = await readTimeline({ events: data.events, labels: data.labels });
  await ingestItems(items, { store: storeAt(cleanPrefix), pseudonymize, locations });
  const entities = entitiesOf(items, pseudonymize);
  return { entities, states: await canonicalStates(storeAt(cleanPrefix), entities) };
}

interface EnqueueResult {
  jobs: number;
  added: number;
  alreadyQueued: number;
  events: number;
  labels: number;
}

describe('vigil enqueue + vigil worker', () => {
  it('a worker killed half-way and restarted ends in the state of one clean ingest', async () => {
    const enqueueArgs = ['enqueue', '--events', data.events, '--labels', data.labels, '--batch-size', '10'];
    const enqueued = resultOf<EnqueueResult>(await runVigil(enqueueArgs, vigilEnv(testRedisUrl(), prefix)));
    expect(enqueued.jobs).toBeGreaterThan(150);
    expect(enqueued.added).toBe(enqueued.jobs);
    // The same batches again: every job id is known, nothing is added.
    expect(resultOf<EnqueueResult>(await runVigil(enqueueArgs, vigilEnv(testRedisUrl(), prefix)))).toMatchObject({ added: 0, alreadyQueued: enqueued.jobs });
    expect(await queue.getWaitingCount()).toBe(enqueued.jobs);

    const first = startWorker();
    await until('half the batches are done', async () => (await queue.getCompletedCount()) >= enqueued.jobs / 2, first);
    first.child.kill('SIGKILL');
    await first.done;
    // The batch the killed worker was running stays active (locked) until the lock expires: it is redelivered.
    const [orphan] = await queue.getJobs(['active']);
    expect(orphan).toBeDefined();
    expect(await queue.getCompletedCount()).toBeLessThan(enqueued.jobs);

    const second = startWorker();
    await until('the queue is drained', () => drained(enqueued.jobs), second);
    const redelivered = await queue.getJob(orphan?.id as string);
    expect(redelivered?.stalledCounter).toBe(1);
    expect(await redelivered?.getState()).toBe('completed');

    second.child.kill('SIGTERM');
    const stopped = await second.done;
    expect(resultOf(stopped)).toMatchObject({ signal: 'SIGTERM', failures: 0 });

    const clean = await cleanIngestStates();
    expect(await canonicalStates(storeAt(prefix), clean.entities)).toEqual(clean.states);
  }, PROCESS_TEST_TIMEOUT_MS);

  it('applies events that arrive twice in different batches once', async () => {
    const env = vigilEnv(testRedisUrl(), prefix);
    const a = resultOf<EnqueueResult>(await runVigil(['enqueue', '--events', data.events, '--labels', data.labels, '--batch-size', '100'], env));
    const b = resultOf<EnqueueResult>(await runVigil(['enqueue', '--events', data.events, '--labels', data.labels, '--batch-size', '77'], env)); // boundaries meet first at 7,700
    expect(b.added).toBe(b.jobs); // other batch boundaries, other job ids: every event is queued a second time
    const worker = startWorker();
    await until('the queue is drained', () => drained(a.jobs + b.jobs), worker);
    worker.child.kill('SIGTERM');
    expect(resultOf(await worker.done)).toMatchObject({ jobs: a.jobs + b.jobs, events: 2 * a.events, duplicates: a.events, failures: 0 });

    const clean = await cleanIngestStates();
    expect(await canonicalStates(storeAt(prefix), clean.entities)).toEqual(clean.states);
  }, PROCESS_TEST_TIMEOUT_MS);

  it('dead-letters malformed items with their field paths and applies the valid rest', async () => {
    const login = { type: 'login', eventId: 'ok-1', userId: 'u-good', ts: '2026-01-05T10:00:00Z', ip: '203.0.113.7', deviceId: 'd1', success: true };
    const badWithdrawal = { type: 'withdrawal', eventId: 'bad-1', userId: 'u-bad', ts: '2026-01-05T10:01:00Z', asset: 'BTC', amount: -5, address: 'nope' };
    const badLogin = { eventId: 'bad-2', userId: 'u-bad', ts: 'yesterday', ip: '203.0.113.8', deviceId: 'd2', success: true };
    const batch: EventBatch = {
      items: [
        { kind: 'event', value: login },
        { kind: 'event', value: badWithdrawal },
        { kind: 'parcel' as 'event', value: login },
        42 as unknown as EventBatch['items'][number],
        { kind: 'event', value: badLogin },
        { kind: 'label', value: { eventId: 'ok-1', label: 'maybe', ts: '2026-01-06T10:00:00Z' } },
        { kind: 'label', value: { eventId: 'ok-1', label: 'fraud', ts: '2026-01-06T10:00:00Z' } },
        // Timed a year ahead of the worker's clock: a live queue is held to VIGIL_MAX_CLOCK_SKEW_MS as HTTP is.
        { kind: 'event', value: { ...login, eventId: 'future-1', userId: 'u-future', ts: new Date(Date.now() + 365 * 86_400_000).toISOString() } },
      ],
    };
    const { jobId } = await enqueueBatch(queue, batch);
    const worker = startWorker();
    await until('the batch is done', async () => (await queue.getJobState(jobId)) === 'completed', worker);
    worker.child.kill('SIGTERM');
    expect(resultOf(await worker.done)).toMatchObject({ jobs: 1, items: 8, events: 1, labels: 1, deadLettered: 6 });

    const deadLetters = openDeadLetterQueue(queueRedis, prefix);
    const letters = await readDeadLetters(deadLetters);
    await deadLetters.close();
    const byIndex = new Map(letters.map((l) => [l.index, l]));
    expect([...byIndex.keys()].sort()).toEqual([1, 2, 3, 4, 5, 7]);
    expect(letters.every((l) => l.jobId === jobId)).toBe(true);
    const paths = (i: number) => byIndex.get(i)?.issues.map((issue) => issue.path.join('.')).sort();
    expect(paths(1)).toEqual(['address', 'amount']);
    expect(byIndex.get(1)?.issues.find((issue) => issue.path[0] === 'amount')?.message).toMatch(/negative/);
    expect(byIndex.get(1)?.item).toEqual(batch.items[1]);
    expect(paths(2)).toEqual(['kind']);
    expect(paths(3)).toEqual(['']);
    expect(paths(4)).toEqual(['ts']);
    expect(paths(5)).toEqual(['label']);
    expect(paths(7)).toEqual(['ts']);
    expect(byIndex.get(7)?.issues[0]?.message).toMatch(/ahead of this server's clock \(at most 300 s allowed\)/);

    const good = await storeAt(prefix).readState('user', 'u-good');
    expect([...(good?.seen.keys() ?? [])]).toEqual(['ok-1']);
    expect(good?.labels.get('ok-1')).toEqual([Date.parse('2026-01-06T10:00:00Z'), 1]);
    expect(await storeAt(prefix).readState('user', 'u-bad')).toBeUndefined();
    expect(await storeAt(prefix).readState('user', 'u-future')).toBeUndefined();
  }, PROCESS_TEST_TIMEOUT_MS);

  it('fails a payload that is not a batch at once, without retries', async () => {
    const job = await queue.add('batch', 'not a batch' as unknown as EventBatch, { jobId: 'garbage-1' });
    expect(job.opts.attempts).toBe(10); // the queue's default: transient failures are retried…
    const worker = startWorker();
    await until('the job has failed', async () => (await queue.getJobState('garbage-1')) === 'failed', worker);
    worker.child.kill('SIGTERM');
    await worker.done;
    const failed = await queue.getJob('garbage-1');
    expect(failed?.attemptsMade).toBe(1); // …but not this one
    expect(failed?.failedReason).toMatch(/malformed batch: expected an object \{items: \[\.\.\.\]\}, got string/);
  }, PROCESS_TEST_TIMEOUT_MS);
});
