/**
 * @jest-environment ./test/serving/fixtures/onnx-test-environment.ts
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import request from 'supertest';
import type { ScoredEventType } from '../../features/definitions';
import { ModelRegistry } from '../../models/registry';
import { connectTestRedis, deleteKeysWithPrefix, testRedisUrl, uniqueKeyPrefix } from '../harness/redis';
import { startRedisServer } from '../harness/redis-server';
import { buildTrainedRegistry, removeTrainedRegistry, type TrainedRegistry } from './fixtures/trained-registry';
import { startTestService, type TestService } from './fixtures/test-service';

let registry: TrainedRegistry;
const prefix = uniqueKeyPrefix();
const services: TestService[] = [];

beforeAll(async () => {
  registry = await buildTrainedRegistry({ challengers: true });
}, 180_000);

// Each test starts from the registry as trained: its champions, no challengers.
afterEach(async () => {
  for (const s of services.splice(0)) await s.close();
  await writeFile(join(registry.modelDir, 'champions.json'), JSON.stringify(registry.champions));
  await writeFile(join(registry.modelDir, 'challengers.json'), '{}');
});

afterAll(async () => {
  const redis = await connectTestRedis(testRedisUrl());
  await deleteKeysWithPrefix(redis, prefix);
  redis.destroy();
  await removeTrainedRegistry(registry);
});

/** A service on the shared registry; `syncMs` is how often it reads the registry again. */
async function start(backend: 'redis' | 'memory', syncMs: number): Promise<TestService> {
  const service = await startTestService({
    redisUrl: backend === 'redis' ? testRedisUrl() : undefined,
    keyPrefix: prefix,
    modelDir: registry.modelDir,
    env: { VIGIL_MODEL_SYNC_MS: String(syncMs) },
  });
  services.push(service);
  return service;
}

const versions = (s: TestService, type: ScoredEventType) => ({
  champion: s.runtime.models.champion(type)?.manifest.version,
  challenger: s.runtime.models.challenger(type)?.manifest.version,
});

async function until(what: string, check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const admin = (s: TestService, path: string, body: object = {}) => request(s.app).post(path).set('Authorization', s.auth).send(body);

it('a promotion or shadowing made through one instance is announced and followed by another at once, and a later instance starts with it', async () => {
  // An hour between registry reads: only the announcement through Redis can explain following within seconds.
  const [a, b] = [await start('redis', 3_600_000), await start('redis', 3_600_000)];
  const promoted = registry.challengers.login as string;
  expect(versions(b, 'login').champion).toBe(registry.champions.login);

  await admin(a, `/v1/models/${promoted}/promote`).expect(200);
  await until('the second instance to follow the promotion', () => versions(b, 'login').champion === promoted);
  const scored = await admin(b, '/v1/score/login', { eventId: 'sync-1', userId: 'u-sync', ts: '2026-02-01T10:00:00Z', ip: '198.51.100.9', deviceId: 'd', success: true });
  expect(scored.status).toBe(200);
  expect(scored.body.model.version).toBe(promoted);

  const shadowed = registry.challengers.withdrawal as string;
  await admin(a, `/v1/models/${shadowed}/shadow`, { enabled: true }).expect(200);
  await until('the second instance to shadow the challenger', () => versions(b, 'withdrawal').challenger === shadowed);
  expect((await request(b.app).get('/v1/models').set('Authorization', b.auth).expect(200)).body.challengers).toEqual({ withdrawal: shadowed });

  // The registry keeps both: an instance started now serves the promoted champion and shadows the challenger.
  const c = await start('redis', 3_600_000);
  expect(versions(c, 'login').champion).toBe(promoted);
  expect(versions(c, 'withdrawal')).toEqual({ champion: registry.champions.withdrawal, challenger: shadowed });

  // Stopping the shadowing and rolling back travel the same way.
  await admin(c, `/v1/models/${shadowed}/shadow`, { enabled: false }).expect(200);
  await admin(c, `/v1/models/${registry.champions.login}/promote`).expect(200);
  for (const s of [a, b]) {
    await until('the others to follow the rollback and the end of shadowing', () => versions(s, 'login').champion === registry.champions.login && versions(s, 'withdrawal').challenger === undefined);
  }
  expect(JSON.parse(await readFile(join(registry.modelDir, 'challengers.json'), 'utf8'))).toEqual({});
}, 60_000);

it('follows a promotion made with the command line at its next read of the registry, without Redis', async () => {
  const s = await start('memory', 200);
  const promoted = registry.challengers.withdrawal as string;
  // What `vigil models promote` does.
  await new ModelRegistry(registry.modelDir).promote(promoted);
  await until('the promotion to be read', () => versions(s, 'withdrawal').champion === promoted);
  await new ModelRegistry(registry.modelDir).promote(registry.champions.withdrawal);
  await until('the rollback to be read', () => versions(s, 'withdrawal').champion === registry.champions.withdrawal);
});

it('keeps serving when the registry names a version it cannot serve, and says which', async () => {
  const s = await start('memory', 3_600_000);
  const file = join(registry.modelDir, 'challengers.json');
  // A login model named as the withdrawal challenger (a hand edit), and a version that does not exist.
  await writeFile(file, JSON.stringify({ withdrawal: registry.challengers.login, login: 'no-such-version' }));
  const failure = s.runtime.models.sync();
  await expect(failure).rejects.toThrow(`names ${registry.challengers.login} for withdrawal events, but it is a login model`);
  await expect(failure).rejects.toThrow('no-such-version (manifest.json missing)');
  expect(versions(s, 'withdrawal')).toEqual({ champion: registry.champions.withdrawal, challenger: undefined });
  expect(versions(s, 'login')).toEqual({ champion: registry.champions.login, challenger: undefined });
});

it('refuses to shadow a champion, and a promotion ends the shadowing of the version promoted', async () => {
  const s = await start('memory', 3_600_000);
  const challenger = registry.challengers.login as string;
  const refused = await admin(s, `/v1/models/${registry.champions.login}/shadow`, { enabled: true });
  expect(refused.status).toBe(409);
  expect(refused.body.error.message).toContain('cannot shadow itself');

  await admin(s, `/v1/models/${challenger}/shadow`, { enabled: true }).expect(200);
  expect(await new ModelRegistry(registry.modelDir).challengers()).toEqual({ login: challenger });
  await admin(s, `/v1/models/${challenger}/promote`).expect(200);
  expect(versions(s, 'login')).toEqual({ champion: challenger, challenger: undefined });
  expect(await new ModelRegistry(registry.modelDir).challengers()).toEqual({});
});

it('undoes a promotion the audit trail cannot record', async () => {
  const server = await startRedisServer();
  try {
    const service = await startTestService({ redisUrl: server.url, keyPrefix: uniqueKeyPrefix(), modelDir: registry.modelDir });
    services.push(service);
    // The key authenticates once, so that it is remembered through the outage.
    await request(service.app).get('/v1/models').set('Authorization', service.auth).expect(200);
    await server.kill();
    const refused = await admin(service, `/v1/models/${registry.challengers.login}/promote`);
    expect(refused.status).toBe(503);
    expect(versions(service, 'login').champion).toBe(registry.champions.login);
    expect(await new ModelRegistry(registry.modelDir).champions()).toEqual(registry.champions);
  } finally {
    await server.stop();
  }
});
