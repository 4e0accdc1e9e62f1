import { loadConfig } from '../../core/config';
import { deriveKey } from '../../core/crypto';
import { createLogger } from '../../core/logger';
import { ApiKeyAuthenticator } from '../../serving/auth/api-key-authenticator';
import { UnauthorizedError } from '../../serving/auth/authenticator';
import { API_KEY_HASH_PURPOSE } from '../../serving/auth/api-key-format';
import { createServingSecurity, type ServingSecurity } from '../../serving/auth/create-serving-security';
import { FallbackRateLimiter, OutageWatch, RememberingAuthenticator } from '../../serving/outage-fallbacks';
import { MemoryRateLimiter } from '../../serving/stores/memory-rate-limiter';
import { LEASE_MS } from '../../serving/stores/redis-rate-limiter';
import { uniqueKeyPrefix } from '../harness/redis';
import { startRedisServer, type RedisServer } from '../harness/redis-server';
import { TEST_PII_KEY } from './fixtures/test-service';

const log = createLogger('silent');
let server: RedisServer;
let security: ServingSecurity;

beforeEach(async () => {
  server = await startRedisServer();
  const config = loadConfig({ REDIS_URL: server.url, VIGIL_PII_KEY: TEST_PII_KEY, VIGIL_REDIS_KEY_PREFIX: uniqueKeyPrefix() });
  security = await createServingSecurity(config, log);
});

afterEach(async () => {
  await security.close();
  await server.stop();
});

it('lets recently authenticated keys through while the key store is down, and nothing else', async () => {
  const [a, b] = [await security.keys.create({ name: 'a', scopes: ['score'] }, 'test'), await security.keys.create({ name: 'b', scopes: ['score'] }, 'test')];
  // No cache inside: every call asks Redis, so the fallback alone decides during the outage.
  const inner = new ApiKeyAuthenticator(security.apiKeys, deriveKey(Buffer.from(TEST_PII_KEY, 'hex'), API_KEY_HASH_PURPOSE), { cacheTtlMs: 0 });
  let now = 1_000_000;
  const auth = new RememberingAuthenticator(inner, { watch: new OutageWatch({ log }), maxStaleMs: 60_000, now: () => now });
  const bearer = (k: string) => `Bearer ${k}`;

  expect((await auth.authenticate(bearer(a.key), '10.0.0.1')).keyId).toBe(a.id);
  await expect(auth.authenticate(bearer(`${a.key.slice(0, -1)}x`), '10.0.0.1')).rejects.toBeInstanceOf(UnauthorizedError);

  await server.kill();
  now += 30_000;
  expect((await auth.authenticate(bearer(a.key), '10.0.0.1')).keyId).toBe(a.id);
  // A key never seen, the same key from another address, a wrong secret: the store cannot vouch for them.
  await expect(auth.authenticate(bearer(b.key), '10.0.0.1')).rejects.toMatchObject({ httpStatus: 503 });
  await expect(auth.authenticate(bearer(a.key), '10.0.0.2')).rejects.toMatchObject({ httpStatus: 503 });
  await expect(auth.authenticate(bearer(`${a.key.slice(0, -1)}x`), '10.0.0.1')).rejects.toMatchObject({ httpStatus: 503 });
  // Remembered only for so long.
  now += 31_000;
  await expect(auth.authenticate(bearer(a.key), '10.0.0.1')).rejects.toMatchObject({ httpStatus: 503 });
});

it('forgets a key once the store refuses it, so an outage cannot bring a revoked key back', async () => {
  const a = await security.keys.create({ name: 'a', scopes: ['score'] }, 'test');
  const inner = new ApiKeyAuthenticator(security.apiKeys, deriveKey(Buffer.from(TEST_PII_KEY, 'hex'), API_KEY_HASH_PURPOSE), { cacheTtlMs: 0 });
  const auth = new RememberingAuthenticator(inner, { watch: new OutageWatch({ log }) });
  await auth.authenticate(`Bearer ${a.key}`, '10.0.0.1');
  await security.keys.revoke(a.id, 'test');
  await expect(auth.authenticate(`Bearer ${a.key}`, '10.0.0.1')).rejects.toBeInstanceOf(UnauthorizedError);
  await server.kill();
  await expect(auth.authenticate(`Bearer ${a.key}`, '10.0.0.1')).rejects.toMatchObject({ httpStatus: 503 });
});

it('limits per instance while the shared limiter is down', async () => {
  const limiter = new FallbackRateLimiter(security.rateLimiter, new MemoryRateLimiter({ ratePerSecond: 0.001, burst: 2 }), new OutageWatch({ log }));
  expect((await limiter.take('k')).allowed).toBe(true);
  await server.kill();
  // What the shared limiter leased before the outage is spent first; once the lease is over, only the local one decides.
  await new Promise((resolve) => setTimeout(resolve, LEASE_MS + 10));
  expect((await limiter.take('k')).allowed).toBe(true);
  expect((await limiter.take('k')).allowed).toBe(true);
  const third = await limiter.take('k');
  expect(third.allowed).toBe(false);
  expect(third.retryAfterMs).toBeGreaterThan(0);
});

it('waits on a hung store once: then keys and limits are served at once, until a probe finds it back', async () => {
  const STORE_DEADLINE_MS = 1_500;
  const config = loadConfig({ REDIS_URL: server.url, VIGIL_PII_KEY: TEST_PII_KEY, VIGIL_REDIS_KEY_PREFIX: uniqueKeyPrefix() });
  const hung = await createServingSecurity({ ...config, storeDeadlineMs: STORE_DEADLINE_MS }, log);
  try {
    const a = await hung.keys.create({ name: 'a', scopes: ['score'] }, 'test');
    const watch = new OutageWatch({ log, probeEveryMs: 200 });
    const auth = new RememberingAuthenticator(hung.authenticator, { watch });
    const limiter = new FallbackRateLimiter(hung.rateLimiter, new MemoryRateLimiter({ ratePerSecond: 1000, burst: 1000 }), watch);
    const request = async () => {
      const started = performance.now();
      const principal = await auth.authenticate(`Bearer ${a.key}`, '10.0.0.1');
      const { allowed } = await limiter.take(principal.keyId);
      return { allowed, ms: performance.now() - started };
    };
    expect((await request()).allowed).toBe(true);

    process.kill(server.pid, 'SIGSTOP'); // a hung server: the connection stays open, nothing answers
    try {
      await new Promise((resolve) => setTimeout(resolve, LEASE_MS + 10));
      const first = await request();
      expect(first.allowed).toBe(true);
      expect(first.ms).toBeGreaterThanOrEqual(STORE_DEADLINE_MS - 50);
      expect(watch.down).toBe(true);
      // Without the watch each of these would wait out the deadline again (the limiter's lease lasts 50 ms).
      for (let i = 0; i < 5; i++) {
        await new Promise((resolve) => setTimeout(resolve, LEASE_MS + 10));
        const next = await request();
        expect(next.allowed).toBe(true);
        expect(next.ms).toBeLessThan(STORE_DEADLINE_MS / 2);
      }
    } finally {
      process.kill(server.pid, 'SIGCONT');
    }
    const until = Date.now() + 10_000;
    while (watch.down && Date.now() < until) {
      await request();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(watch.down).toBe(false);
  } finally {
    await hung.close();
  }
});
