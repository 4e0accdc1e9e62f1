import { ConflictError, NotFoundError, UnavailableError } from '../../../core/errors';
import { createLogger } from '../../../core/logger';
import { connectRedis } from '../../../core/redis';
import type { ApiKeyRecord } from '../../../serving/stores/api-key-store';
import { createSecurityStores, type SecurityStores } from '../../../serving/stores/create-security-stores';
import { MemoryAuditLog } from '../../../serving/stores/memory-audit-log';
import { MemoryResponseStore } from '../../../serving/stores/memory-response-store';
import { RedisAuditLog, type AuditCommands } from '../../../serving/stores/redis-audit-log';
import { RESPONSE_TTL_SECONDS } from '../../../serving/stores/redis-response-store';
import type { AuditEntry, AuditRecord, ScoreResponse } from '../../../serving/stores/serving-stores';
import { connectTestCluster, connectTestRedis, deleteKeysWithPrefix, testRedisUrl, uniqueKeyPrefix, type TestRedisClient, type TestRedisCluster } from '../../harness/redis';
import { startRedisCluster, startRedisServer, type RedisTestCluster } from '../../harness/redis-server';

const log = createLogger('silent');
/** Small, so the rate-limit tests exhaust a budget in a handful of calls. */
const RATE = 5;

interface Backend {
  name: string;
  redisUrls: () => string[] | undefined;
  /** A client on the same Redis to inspect keys (undefined for memory). */
  inspector: () => TestRedisClient | TestRedisCluster | undefined;
}

let cluster: RedisTestCluster;
let single: TestRedisClient;
let clusterClient: TestRedisCluster;

const BACKENDS: Backend[] = [
  { name: 'memory', redisUrls: () => undefined, inspector: () => undefined },
  { name: 'redis', redisUrls: () => [testRedisUrl()], inspector: () => single },
  { name: 'redis cluster of 3 masters', redisUrls: () => cluster.urls, inspector: () => clusterClient },
];

beforeAll(async () => {
  cluster = await startRedisCluster({ masters: 3 });
  [single, clusterClient] = await Promise.all([connectTestRedis(testRedisUrl()), connectTestCluster(cluster.rootNodes)]);
});
afterAll(async () => {
  single?.destroy();
  clusterClient?.destroy();
  await cluster?.stop();
});

function record(id: string, overrides: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  return { id, name: `key ${id}`, scopes: ['score', 'ingest'], allowedCidrs: [], createdAt: '2026-01-01T00:00:00.000Z', secretHash: `hash-of-${id}`, ...overrides };
}

function response(eventId: string, score = 0.25): ScoreResponse {
  return { eventId, score, decision: 'allow', reasons: [], model: { name: 'login-gbdt', version: '20260101-1' } };
}

async function collect(iterable: AsyncIterable<AuditRecord>): Promise<AuditRecord[]> {
  const out: AuditRecord[] = [];
  for await (const r of iterable) out.push(r);
  return out;
}

const msOf = (r: AuditRecord) => Number(r.id.split('-')[0]);

describe.each(BACKENDS)('security stores: $name', (backend) => {
  let prefix: string;
  let stores: SecurityStores;

  beforeEach(async () => {
    prefix = uniqueKeyPrefix();
    stores = await createSecurityStores(
      { redisUrls: backend.redisUrls(), redisKeyPrefix: prefix, rateLimitPerSecond: RATE, auditRetentionDays: 30 },
      log,
    );
  });
  afterEach(async () => {
    await stores.close();
    const inspector = backend.inspector();
    if (inspector) await deleteKeysWithPrefix(inspector, prefix);
  });

  it('is the backend the configuration asks for', () => {
    expect(stores.kind).toBe(backend.redisUrls() ? 'redis' : 'memory');
  });

  describe('API keys', () => {
    it('stores keys and reads them back as written, unknown ids as undefined', async () => {
      const a = record('aaaaaaaaaaa1');
      const b = record('bbbbbbbbbbb2', { scopes: ['admin'], allowedCidrs: ['10.0.0.0/8', '2001:db8::/32'], createdAt: '2026-01-02T00:00:00.000Z' });
      await stores.apiKeys.create(b);
      await stores.apiKeys.create(a);
      expect(await stores.apiKeys.get(a.id)).toEqual(a);
      expect(await stores.apiKeys.get(b.id)).toEqual(b);
      expect(await stores.apiKeys.get('cccccccccccc')).toBeUndefined();
      expect(await stores.apiKeys.list()).toEqual([a, b]); // oldest first
    });

    it('refuses a taken id and keeps the first key', async () => {
      const a = record('aaaaaaaaaaa1');
      await stores.apiKeys.create(a);
      await expect(stores.apiKeys.create(record('aaaaaaaaaaa1', { name: 'impostor', secretHash: 'other' }))).rejects.toThrow(ConflictError);
      expect(await stores.apiKeys.get(a.id)).toEqual(a);
      expect(await stores.apiKeys.list()).toEqual([a]);
    });

    it('revokes once: the revocation time is kept, a second revoke is a conflict, an unknown id not found', async () => {
      await stores.apiKeys.create(record('aaaaaaaaaaa1'));
      const at = new Date('2026-03-04T05:06:07.000Z');
      const revoked = await stores.apiKeys.revoke('aaaaaaaaaaa1', at);
      expect(revoked).toEqual(record('aaaaaaaaaaa1', { revokedAt: at.toISOString() }));
      expect(await stores.apiKeys.get('aaaaaaaaaaa1')).toEqual(revoked);
      await expect(stores.apiKeys.revoke('aaaaaaaaaaa1', new Date())).rejects.toThrow(new ConflictError(`API key aaaaaaaaaaa1 was already revoked at ${at.toISOString()}`));
      expect((await stores.apiKeys.get('aaaaaaaaaaa1'))?.revokedAt).toBe(at.toISOString());
      await expect(stores.apiKeys.revoke('zzzzzzzzzzzz', at)).rejects.toThrow(NotFoundError);
      expect(await stores.apiKeys.get('zzzzzzzzzzzz')).toBeUndefined(); // revoking an unknown id creates nothing
    });

    it('hands out copies: changing a returned record changes nothing stored', async () => {
      await stores.apiKeys.create(record('aaaaaaaaaaa1'));
      const got = (await stores.apiKeys.get('aaaaaaaaaaa1')) as ApiKeyRecord;
      got.scopes.push('admin');
      got.allowedCidrs.push('0.0.0.0/0');
      expect(await stores.apiKeys.get('aaaaaaaaaaa1')).toEqual(record('aaaaaaaaaaa1'));
    });
  });

  describe('rate limiter', () => {
    it('holds an abusive key to its limit while another key is served normally', async () => {
      const started = performance.now();
      const abusive = [];
      for (let i = 0; i < 6 * RATE; i++) abusive.push(await stores.rateLimiter.take('abusive0000a'));
      const elapsedS = (performance.now() - started) / 1000;
      const allowed = abusive.filter((r) => r.allowed).length;
      // The burst, plus at most one per emission interval that passed while the loop ran.
      expect(allowed).toBeGreaterThanOrEqual(RATE);
      expect(allowed).toBeLessThanOrEqual(RATE + Math.ceil(elapsedS * RATE));
      const refused = abusive.filter((r) => !r.allowed);
      expect(refused.length).toBeGreaterThan(0);
      for (const r of refused) {
        expect(r.retryAfterMs).toBeGreaterThan(0);
        expect(r.retryAfterMs).toBeLessThanOrEqual(1000 / RATE);
      }
      expect(abusive.slice(0, RATE).every((r) => r.allowed)).toBe(true);

      const other = [];
      for (let i = 0; i < RATE; i++) other.push(await stores.rateLimiter.take('polite00000b'));
      expect(other.map((r) => r.allowed)).toEqual(new Array(RATE).fill(true));
    });
  });

  describe('audit trail', () => {
    const entries: AuditEntry[] = [
      { kind: 'key_created', actor: 'cli', subject: 'aaaaaaaaaaa1', data: { name: 'scorer', scopes: ['score'] } },
      { kind: 'decision', actor: 'aaaaaaaaaaa1', subject: 'evt-1', data: { decision: 'hold', score: 0.93, model: '20260101-1', nested: { a: [1, null] } } },
      { kind: 'key_revoked', actor: 'cli', subject: 'aaaaaaaaaaa1', data: {} },
    ];

    it('reads back what was appended, in order, with a time and an increasing id', async () => {
      const before = Date.now();
      for (const e of entries) await stores.audit.append(e);
      const read = await collect(stores.audit.read());
      expect(read.map(({ id: _id, ts: _ts, ...e }) => e)).toEqual(entries);
      for (const r of read) {
        expect(r.id).toMatch(/^\d+-\d+$/);
        expect(new Date(r.ts).toISOString()).toBe(r.ts);
        expect(Date.parse(r.ts)).toBe(msOf(r));
        expect(msOf(r)).toBeGreaterThanOrEqual(before - 1000); // the Redis server's clock is this machine's
      }
      const ids = read.map((r) => r.id);
      const sorted = [...ids].sort((a, b) => msOf({ id: a } as AuditRecord) - msOf({ id: b } as AuditRecord) || Number(a.split('-')[1]) - Number(b.split('-')[1]));
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toEqual(sorted);
    });

    it('reads a time range, both ends included', async () => {
      for (let i = 0; i < 40; i++) {
        await stores.audit.append({ kind: 'decision', actor: 'k', subject: `evt-${i}`, data: { i } });
        if (i % 10 === 9) await new Promise((resolve) => setTimeout(resolve, 5)); // spread entries over several ms
      }
      const all = await collect(stores.audit.read());
      expect(all).toHaveLength(40);
      const since = msOf(all[12] as AuditRecord);
      const until = msOf(all[27] as AuditRecord);
      const expected = all.filter((r) => msOf(r) >= since && msOf(r) <= until).map((r) => r.subject);
      const got = await collect(stores.audit.read({ since: new Date(since), until: new Date(until) }));
      expect(got.map((r) => r.subject)).toEqual(expected);
      expect(expected).toContain('evt-12');
      expect(expected).toContain('evt-27');
      expect((await collect(stores.audit.read({ since: new Date(until + 1) }))).every((r) => msOf(r) > until)).toBe(true);
      expect(await collect(stores.audit.read({ until: new Date(msOf(all[0] as AuditRecord) - 1) }))).toEqual([]);
    });

    it('reads long trails completely, page after page', async () => {
      const n = 2_345; // more than two pages of 1000
      await Promise.all(Array.from({ length: n }, (_, i) => stores.audit.append({ kind: 'decision', actor: 'k', subject: `evt-${i}`, data: {} })));
      const read = await collect(stores.audit.read());
      expect(read).toHaveLength(n);
      expect(new Set(read.map((r) => r.id)).size).toBe(n);
      expect(new Set(read.map((r) => r.subject)).size).toBe(n);
    });

    it('offers no way to change or delete an entry', () => {
      const methods = Object.getOwnPropertyNames(Object.getPrototypeOf(stores.audit)).filter((m) => m !== 'constructor');
      expect(methods.sort()).toEqual(['append', 'read']);
    });
  });

  describe('response store', () => {
    it('returns the stored answer for an event id, undefined for others', async () => {
      await stores.responses.put(response('evt-1'));
      expect(await stores.responses.get('evt-1')).toEqual(response('evt-1'));
      expect(await stores.responses.get('evt-2')).toBeUndefined();
    });

    it('keeps the first answer when an event id is answered twice', async () => {
      await stores.responses.put(response('evt-1', 0.1));
      await stores.responses.put(response('evt-1', 0.9));
      expect((await stores.responses.get('evt-1'))?.score).toBe(0.1);
    });
  });
});

describe.each(BACKENDS.filter((b) => b.name !== 'memory'))('security stores in Redis: $name', (backend) => {
  let prefix: string;
  let stores: SecurityStores;
  const open = () => createSecurityStores({ redisUrls: backend.redisUrls(), redisKeyPrefix: prefix, rateLimitPerSecond: RATE, auditRetentionDays: 30 }, log);
  const inspector = () => backend.inspector() as TestRedisClient | TestRedisCluster;

  beforeEach(async () => {
    prefix = uniqueKeyPrefix();
    stores = await open();
  });
  afterEach(async () => {
    await stores.close();
    await deleteKeysWithPrefix(inspector(), prefix);
  });

  it('charges one budget per key, whichever instance takes from it', async () => {
    const second = await open();
    try {
      const started = performance.now();
      const results = [];
      for (let i = 0; i < 4 * RATE; i++) results.push(await (i % 2 ? second : stores).rateLimiter.take('shared00000c'));
      const elapsedS = (performance.now() - started) / 1000;
      const allowed = results.filter((r) => r.allowed).length;
      expect(allowed).toBeGreaterThanOrEqual(RATE);
      expect(allowed).toBeLessThanOrEqual(RATE + Math.ceil(elapsedS * RATE)); // two instances, not twice the budget
    } finally {
      await second.close();
    }
  });

  it('keeps every key under the prefix, in the documented layout', async () => {
    await stores.apiKeys.create(record('aaaaaaaaaaa1'));
    await stores.rateLimiter.take('aaaaaaaaaaa1');
    await stores.audit.append({ kind: 'promotion', actor: 'cli', subject: '20260101-1', data: {} });
    await stores.responses.put(response('evt-1'));
    const redis = inspector();
    expect(await redis.type(`${prefix}apikey:aaaaaaaaaaa1`)).toBe('hash');
    expect(await redis.sMembers(`${prefix}apikeys`)).toEqual(['aaaaaaaaaaa1']);
    expect(await redis.type(`${prefix}audit`)).toBe('stream');
    // The budget expires once the bucket is full again: one emission interval after a single request.
    const rlTtl = await redis.pTTL(`${prefix}rl:aaaaaaaaaaa1`);
    expect(rlTtl).toBeGreaterThan(0);
    expect(rlTtl).toBeLessThanOrEqual(1000 / RATE + 1);
    const respTtl = await redis.pTTL(`${prefix}resp:evt-1`);
    expect(respTtl).toBeGreaterThan((RESPONSE_TTL_SECONDS - 60) * 1000);
    expect(respTtl).toBeLessThanOrEqual(RESPONSE_TTL_SECONDS * 1000);
  });
});

describe('memory stores are bounded', () => {
  it('the audit ring keeps the newest entries', async () => {
    const audit = new MemoryAuditLog({ capacity: 3 });
    for (let i = 0; i < 5; i++) await audit.append({ kind: 'decision', actor: 'k', subject: `evt-${i}`, data: {} });
    expect((await collect(audit.read())).map((r) => r.subject)).toEqual(['evt-2', 'evt-3', 'evt-4']);
  });

  it('the audit ring numbers entries of one millisecond in sequence and never goes back in time', async () => {
    const times = [1000, 1000, 999, 1001];
    const audit = new MemoryAuditLog({ now: () => times.shift() as number });
    for (let i = 0; i < 4; i++) await audit.append({ kind: 'decision', actor: 'k', subject: `evt-${i}`, data: {} });
    expect((await collect(audit.read())).map((r) => r.id)).toEqual(['1000-0', '1000-1', '1000-2', '1001-0']);
  });

  it('the response store forgets the oldest answers first', async () => {
    const responses = new MemoryResponseStore({ capacity: 2 });
    for (const id of ['evt-1', 'evt-2', 'evt-3']) await responses.put(response(id));
    expect(await responses.get('evt-1')).toBeUndefined();
    expect(await responses.get('evt-2')).toEqual(response('evt-2'));
    expect(await responses.get('evt-3')).toEqual(response('evt-3'));
  });
});

describe('redis audit trail retention', () => {
  let prefix: string;
  afterEach(() => deleteKeysWithPrefix(single, prefix));

  it('trims entries older than the retention on append (MINID ~, by time)', async () => {
    prefix = uniqueKeyPrefix();
    const redis = await connectRedis([testRedisUrl()]);
    try {
      const audit = new RedisAuditLog(redis as unknown as AuditCommands, { keyPrefix: prefix, retentionDays: 30 });
      // Entries written 40 days ago (explicit stream ids), more than two stream nodes of 100 entries (the server
      // default), which MINID ~ removes whole.
      const fortyDaysAgo = Date.now() - 40 * 86_400_000;
      for (let i = 0; i < 250; i++) {
        await single.xAdd(`${prefix}audit`, `${fortyDaysAgo + i}-0`, { kind: 'decision', actor: 'k', subject: `old-${i}`, data: '{}' });
      }
      const recent = Date.now() - 29 * 86_400_000;
      await single.xAdd(`${prefix}audit`, `${recent}-0`, { kind: 'decision', actor: 'k', subject: 'recent', data: '{}' });
      await audit.append({ kind: 'decision', actor: 'k', subject: 'new', data: {} });
      const left = (await collect(audit.read())).map((r) => r.subject);
      expect(left.length).toBeLessThanOrEqual(100 + 2); // at most the last, partly filled node of old entries survives
      expect(left.slice(-2)).toEqual(['recent', 'new']);
      expect(left).not.toContain('old-0');
      expect(left).not.toContain('old-199');
    } finally {
      await redis.close();
    }
  });

  it('keeps entries inside the retention', async () => {
    prefix = uniqueKeyPrefix();
    const redis = await connectRedis([testRedisUrl()]);
    try {
      const audit = new RedisAuditLog(redis as unknown as AuditCommands, { keyPrefix: prefix, retentionDays: 1 });
      for (let i = 0; i < 250; i++) await audit.append({ kind: 'decision', actor: 'k', subject: `e-${i}`, data: {} });
      expect(await single.xLen(`${prefix}audit`)).toBe(250);
    } finally {
      await redis.close();
    }
  });
});

describe('a Redis that is down', () => {
  it('makes every store raise UnavailableError, not a driver error', async () => {
    const server = await startRedisServer();
    const stores = await createSecurityStores({ redisUrls: [server.url], redisKeyPrefix: 'down:', rateLimitPerSecond: RATE, auditRetentionDays: 30 }, log);
    try {
      await stores.apiKeys.create(record('aaaaaaaaaaa1'));
      await server.kill();
      const calls: [string, () => Promise<unknown>][] = [
        ['apiKeys.get', () => stores.apiKeys.get('aaaaaaaaaaa1')],
        ['apiKeys.create', () => stores.apiKeys.create(record('bbbbbbbbbbb2'))],
        ['apiKeys.revoke', () => stores.apiKeys.revoke('aaaaaaaaaaa1', new Date())],
        ['apiKeys.list', () => stores.apiKeys.list()],
        ['rateLimiter.take', () => stores.rateLimiter.take('aaaaaaaaaaa1')],
        ['audit.append', () => stores.audit.append({ kind: 'promotion', actor: 'cli', subject: '20260101-1', data: {} })],
        ['audit.read', () => collect(stores.audit.read())],
        ['responses.get', () => stores.responses.get('evt-1')],
        ['responses.put', () => stores.responses.put(response('evt-1'))],
      ];
      for (const [name, call] of calls) {
        const err = await call().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect([name, err instanceof UnavailableError]).toEqual([name, true]);
        expect((err as UnavailableError).reason).toBe('serving_store_unavailable');
      }
    } finally {
      await stores.close().catch(() => undefined);
      await server.stop();
    }
  });
});
