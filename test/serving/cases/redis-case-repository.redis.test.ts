import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DecryptionError } from '../../../core/crypto';
import { createLogger } from '../../../core/logger';
import { connectRedis } from '../../../core/redis';
import { FeaturePipeline } from '../../../features/pipeline';
import { MemoryFeatureStore } from '../../../features/store/memory-feature-store';
import { createCaseServices } from '../../../serving/cases/create-case-services';
import { MemoryAuditLog } from '../../../serving/stores/memory-audit-log';
import { LABELLED_RETENTION_MS } from '../../../serving/cases/case-repository';
import { DetailsCipher } from '../../../serving/cases/details-cipher';
import { CASE_SCRIPTS, RedisCaseRepository, type CaseCommands } from '../../../serving/cases/redis-case-repository';
import { startRedisCluster, type RedisTestCluster } from '../../harness/redis-server';
import { connectTestRedis, deleteKeysWithPrefix, testRedisUrl, uniqueKeyPrefix, type TestRedisClient } from '../../harness/redis';
import { describeCaseRepositoryConformance, PII_KEY, testClock, withdrawalCase } from './case-repository-conformance';

let raw: TestRedisClient;
const prefixes: string[] = [];

beforeAll(async () => {
  raw = await connectTestRedis(testRedisUrl());
});

afterAll(async () => {
  for (const prefix of prefixes) await deleteKeysWithPrefix(raw, prefix);
  raw.destroy();
});

async function redisRepository(urls: string[], options: { cipher: DetailsCipher; now: () => number; keyPrefix?: string }): Promise<RedisCaseRepository> {
  const keyPrefix = options.keyPrefix ?? uniqueKeyPrefix();
  prefixes.push(keyPrefix);
  const redis = await connectRedis(urls, { scripts: CASE_SCRIPTS });
  return new RedisCaseRepository(redis as unknown as CaseCommands, { cipher: options.cipher, now: options.now, keyPrefix });
}

describe('RedisCaseRepository on one node', () => {
  describeCaseRepositoryConformance(({ clock, cipher }) => redisRepository([testRedisUrl()], { cipher, now: clock.now }));

  it('keeps no IP, device id, address or note in clear: the raw hash holds AES-GCM ciphertext', async () => {
    const keyPrefix = uniqueKeyPrefix();
    const repo = await redisRepository([testRedisUrl()], { cipher: new DetailsCipher(PII_KEY), now: Date.now, keyPrefix });
    try {
      await repo.open(withdrawalCase('wd-1'));
      await repo.label('wd-1', { label: 'fraud', note: 'called +49 170 0000000', labelledBy: 'key-a', at: new Date() });
      const fields = await raw.hGetAll(`${keyPrefix}{cases}:c:wd-1`);
      expect(Object.keys(fields).sort()).toEqual(['case', 'details', 'label', 'labelledAt', 'labelledBy', 'note']);
      const everything = JSON.stringify(fields);
      for (const secret of ['203.0.113.77', 'device-secret-0042', '0x52908400098527886E0F7030069857D2E4169EE7', '52908400098527886', '11200', '+49 170']) {
        expect(everything).not.toContain(secret);
      }
      expect(fields.details).toMatch(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
      expect(JSON.parse(fields.case as string)).toMatchObject({ id: 'wd-1', userId: 'user-17', score: 0.42, decision: 'hold' });

      // Another master key cannot read them: the ciphertext is authenticated.
      const stranger = await redisRepository([testRedisUrl()], { cipher: new DetailsCipher(Buffer.alloc(32, 1)), now: Date.now, keyPrefix });
      await expect(stranger.reveal('wd-1')).rejects.toThrow(DecryptionError);
      expect((await stranger.get('wd-1'))?.label).toBe('fraud');
      await stranger.close();
    } finally {
      await repo.close();
    }
  });

  it('keeps open cases until labelled, then 90 days after the latest label', async () => {
    const keyPrefix = uniqueKeyPrefix();
    const clock = testClock();
    const repo = await redisRepository([testRedisUrl()], { cipher: new DetailsCipher(PII_KEY), now: clock.now, keyPrefix });
    try {
      await repo.open(withdrawalCase('wd-1'));
      const key = `${keyPrefix}{cases}:c:wd-1`;
      expect(await raw.pTTL(key)).toBe(-1);
      const labelledAt = clock.now() - 3_600_000;
      await repo.label('wd-1', { label: 'fraud', note: undefined, labelledBy: 'key-a', at: new Date(labelledAt) });
      const expected = labelledAt + LABELLED_RETENTION_MS - Date.now();
      const ttl = await raw.pTTL(key);
      expect(ttl).toBeLessThanOrEqual(expected);
      expect(ttl).toBeGreaterThan(expected - 60_000);
      expect(Number(await raw.zScore(`${keyPrefix}{cases}:expiry`, 'wd-1'))).toBe(labelledAt + LABELLED_RETENTION_MS);
      // A correction a day later restarts the 90 days.
      await repo.label('wd-1', { label: 'legit', note: undefined, labelledBy: 'key-a', at: new Date(labelledAt + 86_400_000) });
      expect(await raw.pTTL(key)).toBeGreaterThan(expected + 86_400_000 - 60_000);
    } finally {
      await repo.close();
    }
  });
});

describe('createCaseServices with REDIS_URL', () => {
  it('stores cases in Redis under the key prefix, every value holding personal data encrypted', async () => {
    const keyPrefix = uniqueKeyPrefix();
    prefixes.push(keyPrefix);
    const labelsDir = mkdtempSync(join(tmpdir(), 'vigil-case-factory-'));
    const config = { redisUrls: [testRedisUrl()], redisKeyPrefix: keyPrefix, piiKey: PII_KEY, labelsDir };
    const services = await createCaseServices(config, createLogger('silent'), { audit: new MemoryAuditLog(), pipeline: new FeaturePipeline({ store: new MemoryFeatureStore() }) });
    try {
      expect(services.kind).toBe('redis');
      expect(services.labelsFile).toBe(join(labelsDir, 'labels-analyst.jsonl'));
      await services.store.open(withdrawalCase('wd-1'));
      await services.service.label('wd-1', { label: 'fraud', note: 'called +49 170 0000000' }, 'key-a');
      expect(await services.service.get('wd-1')).toMatchObject({ label: 'fraud', note: 'called +49 170 0000000', details: withdrawalCase('wd-1').details });

      const keys = await raw.keys(`${keyPrefix}*`);
      expect(keys.length).toBeGreaterThan(0);
      for (const key of keys) expect(key.startsWith(`${keyPrefix}{cases}:`)).toBe(true);
      const dump = JSON.stringify(await Promise.all(keys.map(async (key) => ((await raw.type(key)) === 'hash' ? raw.hGetAll(key) : raw.zRange(key, 0, -1)))));
      for (const secret of ['203.0.113.77', 'device-secret-0042', '52908400098527886', '+49 170']) expect(dump).not.toContain(secret);
    } finally {
      await services.close();
      rmSync(labelsDir, { recursive: true, force: true });
    }
  });
});

describe('RedisCaseRepository on a cluster of 3 masters', () => {
  let cluster: RedisTestCluster;

  beforeAll(async () => {
    cluster = await startRedisCluster();
  });

  afterAll(async () => {
    await cluster.stop();
  });

  describeCaseRepositoryConformance(({ clock, cipher }) => redisRepository(cluster.urls, { cipher, now: clock.now }));
});
