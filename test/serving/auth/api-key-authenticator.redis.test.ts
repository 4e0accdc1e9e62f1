import { UnavailableError } from '../../../core/errors';
import { deriveKey } from '../../../core/crypto';
import { createLogger } from '../../../core/logger';
import { ApiKeyAuthenticator, KEY_CACHE_TTL_MS } from '../../../serving/auth/api-key-authenticator';
import { API_KEY_HASH_PURPOSE, generateApiKey, hashSecret, parseApiKey } from '../../../serving/auth/api-key-format';
import { ApiKeyService } from '../../../serving/auth/api-keys';
import { ForbiddenError, UnauthorizedError } from '../../../serving/auth/authenticator';
import { createServingSecurity } from '../../../serving/auth/create-serving-security';
import type { ApiKeyStore } from '../../../serving/stores/api-key-store';
import { createSecurityStores, type SecurityStores } from '../../../serving/stores/create-security-stores';
import { connectTestRedis, deleteKeysWithPrefix, testRedisUrl, uniqueKeyPrefix, type TestRedisClient } from '../../harness/redis';
import { startRedisServer } from '../../harness/redis-server';

const log = createLogger('silent');
const PII_KEY = Buffer.alloc(32, 0x42);
const HASH_KEY = deriveKey(PII_KEY, API_KEY_HASH_PURPOSE);
const CLIENT = '203.0.113.10';

/** The error an authentication attempt ends with (or undefined if it succeeded). */
async function failure(auth: ApiKeyAuthenticator, header: string | undefined, ip = CLIENT): Promise<unknown> {
  return auth.authenticate(header, ip).then(
    () => undefined,
    (err: unknown) => err,
  );
}

describe('API key format', () => {
  it('is vgl_<12 base62>_<43 base64url>, and parses back into id and secret', () => {
    const { id, secret, key } = generateApiKey();
    expect(key).toMatch(/^vgl_[0-9A-Za-z]{12}_[0-9A-Za-z_-]{43}$/);
    expect(Buffer.from(secret, 'base64url')).toHaveLength(32);
    expect(parseApiKey(key)).toEqual({ id, secret });
  });

  it('gives a fresh id and secret every time', () => {
    const keys = Array.from({ length: 200 }, generateApiKey);
    expect(new Set(keys.map((k) => k.id)).size).toBe(200);
    expect(new Set(keys.map((k) => k.secret)).size).toBe(200);
    // Every base62 character turns up: the id alphabet is used whole.
    expect(new Set(keys.flatMap((k) => [...k.id])).size).toBe(62);
  });

  it.each(['', 'vgl_', 'vgl_abc_def', `vgl_${'a'.repeat(12)}_${'b'.repeat(42)}`, `vgl_${'a'.repeat(11)}-_${'b'.repeat(43)}`, `xyz_${'a'.repeat(12)}_${'b'.repeat(43)}`])(
    'refuses %j',
    (text) => {
      expect(parseApiKey(text)).toBeUndefined();
    },
  );
});

const BACKENDS = [
  { name: 'memory', redisUrls: (): string[] | undefined => undefined },
  { name: 'redis', redisUrls: (): string[] | undefined => [testRedisUrl()] },
];

describe.each(BACKENDS)('ApiKeyAuthenticator on the $name key store', (backend) => {
  let prefix: string;
  let stores: SecurityStores;
  let keys: ApiKeyService;
  let now: number;
  let auth: ApiKeyAuthenticator;
  let admin: TestRedisClient | undefined;

  beforeAll(async () => {
    if (backend.redisUrls()) admin = await connectTestRedis(testRedisUrl());
  });
  afterAll(() => admin?.destroy());

  beforeEach(async () => {
    prefix = uniqueKeyPrefix();
    stores = await createSecurityStores({ redisUrls: backend.redisUrls(), redisKeyPrefix: prefix, rateLimitPerSecond: 100, auditRetentionDays: 30 }, log);
    keys = new ApiKeyService(stores.apiKeys, stores.audit, HASH_KEY);
    now = 1_000_000;
    auth = new ApiKeyAuthenticator(stores.apiKeys, HASH_KEY, { now: () => now });
  });
  afterEach(async () => {
    await stores.close();
    if (admin) await deleteKeysWithPrefix(admin, prefix);
  });

  it('turns a valid key into its principal', async () => {
    const issued = await keys.create({ name: 'scorer', scopes: ['score', 'ingest'] }, 'test');
    expect(await auth.authenticate(`Bearer ${issued.key}`, CLIENT)).toEqual({ keyId: issued.id, name: 'scorer', scopes: ['score', 'ingest'] });
    expect(await auth.authenticate(`bearer  ${issued.key}`, CLIENT)).toMatchObject({ keyId: issued.id }); // the scheme is case-insensitive
  });

  it('answers missing, malformed, unknown, wrong-secret and revoked keys with the same 401', async () => {
    const valid = await keys.create({ name: 'scorer', scopes: ['score'] }, 'test');
    const revoked = await keys.create({ name: 'old', scopes: ['score'] }, 'test');
    await keys.revoke(revoked.id, 'test');
    const { id, secret } = parseApiKey(valid.key) as { id: string; secret: string };
    const otherSecret = generateApiKey().secret;
    const unknown = generateApiKey().key;
    const headers = {
      missing: undefined,
      empty: '',
      'no scheme': valid.key,
      'basic scheme': `Basic ${valid.key}`,
      'bearer without key': 'Bearer ',
      malformed: 'Bearer vgl_short_key',
      'trailing garbage': `Bearer ${valid.key} x`,
      unknown: `Bearer ${unknown}`,
      'wrong secret': `Bearer vgl_${id}_${otherSecret}`,
      'secret of another key': `Bearer vgl_${revoked.id}_${secret}`,
      revoked: `Bearer ${revoked.key}`,
    };
    for (const [what, header] of Object.entries(headers)) {
      const err = await failure(auth, header);
      expect([what, err instanceof UnauthorizedError]).toEqual([what, true]);
      expect([what, (err as UnauthorizedError).message]).toEqual([what, 'missing or invalid API key']);
      expect((err as UnauthorizedError).httpStatus).toBe(401);
    }
  });

  it('refuses a client outside the allowlist with 403, and accepts one inside, IPv4-mapped addresses included', async () => {
    const issued = await keys.create({ name: 'internal', scopes: ['score'], allowIps: ['10.0.0.0/8', '127.0.0.0/8', '2001:db8::/32'] }, 'test');
    const header = `Bearer ${issued.key}`;
    for (const ip of ['10.1.2.3', '127.0.0.1', '::ffff:127.0.0.1', '::ffff:10.9.9.9', '2001:db8::7']) {
      expect(await auth.authenticate(header, ip)).toMatchObject({ keyId: issued.id });
    }
    for (const ip of ['203.0.113.10', '::ffff:203.0.113.10', '::1', '2001:db9::1', '']) {
      const err = await failure(auth, header, ip);
      expect([ip, err instanceof ForbiddenError]).toEqual([ip, true]);
      expect((err as ForbiddenError).message).toMatch(/API key 'internal' may not be used from address/);
    }
  });

  it('checks the secret before the allowlist: a wrong secret from a foreign address is a 401, not a 403', async () => {
    const issued = await keys.create({ name: 'internal', scopes: ['score'], allowIps: ['10.0.0.0/8'] }, 'test');
    expect(await failure(auth, `Bearer vgl_${issued.id}_${generateApiKey().secret}`, CLIENT)).toBeInstanceOf(UnauthorizedError);
  });

  it('honours a revocation once the cache entry is older than its bound, and not before', async () => {
    const issued = await keys.create({ name: 'scorer', scopes: ['score'] }, 'test');
    const header = `Bearer ${issued.key}`;
    await auth.authenticate(header, CLIENT); // cached now
    await keys.revoke(issued.id, 'test');
    now += KEY_CACHE_TTL_MS - 1;
    expect(await auth.authenticate(header, CLIENT)).toMatchObject({ keyId: issued.id }); // within the documented bound
    now += 1;
    expect(await failure(auth, header)).toBeInstanceOf(UnauthorizedError);
  });

  it('does not ask the store again for a cached key within the bound', async () => {
    const issued = await keys.create({ name: 'scorer', scopes: ['score'] }, 'test');
    let lookups = 0;
    const counting: ApiKeyStore = { ...stores.apiKeys, get: (id) => (lookups++, stores.apiKeys.get(id)) } as ApiKeyStore;
    const cached = new ApiKeyAuthenticator(counting, HASH_KEY, { now: () => now });
    await Promise.all(Array.from({ length: 20 }, () => cached.authenticate(`Bearer ${issued.key}`, CLIENT)));
    expect(lookups).toBe(1); // concurrent misses share one lookup
    now += 1000;
    await cached.authenticate(`Bearer ${issued.key}`, CLIENT);
    expect(lookups).toBe(1);
    now += KEY_CACHE_TTL_MS;
    await cached.authenticate(`Bearer ${issued.key}`, CLIENT);
    expect(lookups).toBe(2);
  });

  it('keeps at most maxCached lookups', async () => {
    let lookups = 0;
    const counting = { get: async () => (lookups++, undefined) } as unknown as ApiKeyStore;
    const small = new ApiKeyAuthenticator(counting, HASH_KEY, { maxCached: 2, now: () => now });
    const probe = (n: number) => failure(small, `Bearer vgl_${String(n).padStart(12, '0')}_${'x'.repeat(43)}`);
    await probe(1);
    await probe(2);
    await probe(1); // cached
    expect(lookups).toBe(2);
    await probe(3); // evicts the oldest lookup, 1
    await probe(2); // still cached
    expect(lookups).toBe(3);
    await probe(1);
    expect(lookups).toBe(4);
  });
});

describe('the embedded default', () => {
  it('honours a revocation at once: nothing to cache in front of an in-process store', async () => {
    const security = await createServingSecurity({ redisUrls: undefined, redisKeyPrefix: 'unused:', rateLimitPerSecond: 10, auditRetentionDays: 30, piiKey: undefined }, log);
    const issued = await security.keys.create({ name: 'admin', scopes: ['admin'] }, 'system');
    expect(await security.authenticator.authenticate(`Bearer ${issued.key}`, CLIENT)).toMatchObject({ keyId: issued.id });
    await security.keys.revoke(issued.id, 'test');
    expect(await failure(security.authenticator, `Bearer ${issued.key}`)).toBeInstanceOf(UnauthorizedError);
  });
});

describe('ApiKeyAuthenticator when Redis is down', () => {
  it('fails closed with UnavailableError (503), and recovers with the server', async () => {
    const server = await startRedisServer();
    const security = await createServingSecurity({ redisUrls: [server.url], redisKeyPrefix: 'auth-down:', rateLimitPerSecond: 10, auditRetentionDays: 30, piiKey: PII_KEY }, log);
    try {
      const issued = await security.keys.create({ name: 'scorer', scopes: ['score'] }, 'test');
      await server.kill();
      const err = await failure(security.authenticator, `Bearer ${issued.key}`);
      expect(err).toBeInstanceOf(UnavailableError);
      expect((err as UnavailableError).httpStatus).toBe(503);
    } finally {
      await security.close().catch(() => undefined);
      await server.stop();
    }
  });

  it('fails within its deadline when Redis hangs (the process paused, the connection open)', async () => {
    const server = await startRedisServer();
    const security = await createServingSecurity({ redisUrls: [server.url], redisKeyPrefix: 'auth-hung:', rateLimitPerSecond: 10, auditRetentionDays: 30, piiKey: PII_KEY }, log);
    const authenticator = new ApiKeyAuthenticator(security.apiKeys, deriveKey(PII_KEY, API_KEY_HASH_PURPOSE), { deadlineMs: 100 });
    try {
      const issued = await security.keys.create({ name: 'scorer', scopes: ['score'] }, 'test');
      process.kill(server.pid, 'SIGSTOP');
      const started = performance.now();
      const err = await failure(authenticator, `Bearer ${issued.key}`);
      expect(err).toBeInstanceOf(UnavailableError);
      expect(performance.now() - started).toBeLessThan(1000);
    } finally {
      process.kill(server.pid, 'SIGCONT');
      await security.close().catch(() => undefined);
      await server.stop();
    }
  });
});

describe('what the key store keeps', () => {
  let prefix: string;
  let admin: TestRedisClient;
  beforeAll(async () => {
    admin = await connectTestRedis(testRedisUrl());
  });
  afterAll(() => admin.destroy());
  afterEach(() => deleteKeysWithPrefix(admin, prefix));

  it('is a keyed hash of the secret and never the secret or the key', async () => {
    prefix = uniqueKeyPrefix();
    const security = await createServingSecurity({ redisUrls: [testRedisUrl()], redisKeyPrefix: prefix, rateLimitPerSecond: 10, auditRetentionDays: 30, piiKey: PII_KEY }, log);
    try {
      const issued = await security.keys.create({ name: 'scorer', scopes: ['score'], allowIps: ['10.0.0.0/8'] }, 'test');
      await security.authenticator.authenticate(`Bearer ${issued.key}`, '10.0.0.1');
      const { secret } = parseApiKey(issued.key) as { secret: string };
      const hash = await admin.hGetAll(`${prefix}apikey:${issued.id}`);
      expect(hash.secretHash).toBe(hashSecret(HASH_KEY, secret));
      expect(hash.secretHash).not.toBe(hashSecret(deriveKey(PII_KEY, 'vigil pseudonym v1'), secret)); // its own derived key

      // Nothing under the prefix, in any type of value, holds the secret (raw or as its bytes in base64/hex).
      const dump: string[] = [];
      for await (const batch of admin.scanIterator({ MATCH: `${prefix}*` })) {
        for (const key of batch) {
          const type = await admin.type(key);
          if (type === 'hash') dump.push(JSON.stringify(await admin.hGetAll(key)));
          else if (type === 'set') dump.push(JSON.stringify(await admin.sMembers(key)));
          else if (type === 'stream') dump.push(JSON.stringify(await admin.xRange(key, '-', '+')));
          else if (type === 'string') dump.push(String(await admin.get(key)));
          else throw new Error(`unexpected ${type} at ${key}`);
        }
      }
      const all = dump.join('\n');
      expect(all).toContain(issued.id);
      const bytes = Buffer.from(secret, 'base64url');
      for (const form of [secret, issued.key, bytes.toString('base64'), bytes.toString('hex')]) expect(all).not.toContain(form);

      // The listing never shows the hash either.
      const listed = await security.keys.list();
      expect(listed).toEqual([expect.objectContaining({ id: issued.id, name: 'scorer', scopes: ['score'], allowedCidrs: ['10.0.0.0/8'] })]);
      expect(JSON.stringify(listed)).not.toContain(hash.secretHash as string);
    } finally {
      await security.close();
    }
  });
});
