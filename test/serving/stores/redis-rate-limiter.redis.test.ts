import { UnavailableError } from '../../../core/errors';
import { connectRedis, type RedisConnection } from '../../../core/redis';
import { LEASE_MS, RATE_LIMIT_SCRIPTS, RedisRateLimiter, type RateLimitCommands } from '../../../serving/stores/redis-rate-limiter';
import { connectTestRedis, deleteKeysWithPrefix, testRedisUrl, uniqueKeyPrefix, type TestRedisClient } from '../../harness/redis';
import { startRedisServer } from '../../harness/redis-server';

/** The real commands, counting the round trips the limiter makes. */
function counting(redis: RateLimitCommands): RateLimitCommands & { calls: number } {
  const counter = {
    calls: 0,
    vigilGcraTake(key: string, intervalUs: number, burst: number, want: number) {
      counter.calls++;
      return redis.vigilGcraTake(key, intervalUs, burst, want);
    },
  };
  return counter;
}

describe('RedisRateLimiter leases', () => {
  let redis: RedisConnection;
  let inspector: TestRedisClient;
  let prefix: string;

  beforeAll(async () => {
    redis = await connectRedis([testRedisUrl()], { scripts: RATE_LIMIT_SCRIPTS });
    inspector = await connectTestRedis(testRedisUrl());
  });
  afterAll(async () => {
    await redis.close();
    await inspector.close();
  });
  beforeEach(() => {
    prefix = uniqueKeyPrefix();
  });
  afterEach(async () => {
    await deleteKeysWithPrefix(inspector, prefix);
  });

  const commands = () => counting(redis as unknown as RateLimitCommands);

  it('serves a busy key from one round trip per lease, not one per request', async () => {
    const rate = 1000;
    const leaseSize = (rate * LEASE_MS) / 1000;
    const redisCommands = commands();
    const limiter = new RedisRateLimiter(redisCommands, { ratePerSecond: rate, burst: rate }, { keyPrefix: prefix });
    const results = await Promise.all(Array.from({ length: 4 * leaseSize }, () => limiter.take('busy0000000a')));
    expect(results.every((r) => r.allowed)).toBe(true);
    // Concurrent requests wait for one lease instead of each asking: four leases, give or take one expired early.
    expect(redisCommands.calls).toBeGreaterThanOrEqual(4);
    expect(redisCommands.calls).toBeLessThanOrEqual(5);
    // What was leased was charged to the shared budget: the TAT moved one interval per request granted.
    expect(Number(await inspector.get(`${prefix}rl:busy0000000a`))).toBeGreaterThan(0);
  });

  it('asks for every request when the limit is too small to lease ahead (exact)', async () => {
    const redisCommands = commands();
    const limiter = new RedisRateLimiter(redisCommands, { ratePerSecond: 5, burst: 5 }, { keyPrefix: prefix });
    const results = [];
    for (let i = 0; i < 8; i++) results.push(await limiter.take('small000000b'));
    expect(redisCommands.calls).toBe(8);
    expect(results.slice(0, 5).every((r) => r.allowed)).toBe(true);
    expect(results.slice(5).some((r) => !r.allowed)).toBe(true);
  });

  it('holds two instances leasing from one key to the one budget, and refuses every waiter with a retry time', async () => {
    const limit = { ratePerSecond: 400, burst: 40 };
    const a = new RedisRateLimiter(commands(), limit, { keyPrefix: prefix });
    const b = new RedisRateLimiter(commands(), limit, { keyPrefix: prefix });
    const started = performance.now();
    const results = await Promise.all(Array.from({ length: 300 }, (_, i) => (i % 2 ? a : b).take('shared0000c')));
    const elapsedS = (performance.now() - started) / 1000;
    const allowed = results.filter((r) => r.allowed).length;
    // The burst, plus one per emission interval that passed: never the sum of what each instance could lease.
    expect(allowed).toBeGreaterThanOrEqual(limit.burst);
    expect(allowed).toBeLessThanOrEqual(limit.burst + Math.ceil(elapsedS * limit.ratePerSecond) + 1);
    const refused = results.filter((r) => !r.allowed);
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) expect(r.retryAfterMs).toBeGreaterThan(0);
  });

  it('lets a lease expire: what it left unspent is not spent later', async () => {
    let now = 0;
    const redisCommands = commands();
    const limiter = new RedisRateLimiter(redisCommands, { ratePerSecond: 1000, burst: 1000 }, { keyPrefix: prefix, now: () => now });
    await limiter.take('expiring000d');
    expect(redisCommands.calls).toBe(1);
    await limiter.take('expiring000d');
    expect(redisCommands.calls).toBe(1);
    now += LEASE_MS;
    await limiter.take('expiring000d');
    expect(redisCommands.calls).toBe(2);
  });

  it('fails within its deadline when Redis hangs (the process paused, the connection open)', async () => {
    const server = await startRedisServer();
    const hung = await connectRedis([server.url], { scripts: RATE_LIMIT_SCRIPTS });
    const limiter = new RedisRateLimiter(hung as unknown as RateLimitCommands, { ratePerSecond: 5, burst: 5 }, { keyPrefix: prefix, deadlineMs: 100 });
    try {
      expect((await limiter.take('hung00000000')).allowed).toBe(true);
      process.kill(server.pid, 'SIGSTOP');
      const started = performance.now();
      await expect(limiter.take('hung00000000')).rejects.toBeInstanceOf(UnavailableError);
      expect(performance.now() - started).toBeLessThan(1000);
    } finally {
      process.kill(server.pid, 'SIGCONT');
      await hung.close();
      await server.stop();
    }
  });
});
