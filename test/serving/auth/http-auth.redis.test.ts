import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { generateApiKey } from '../../../serving/auth/api-key-format';
import { SCOPES, type Scope } from '../../../serving/auth/authenticator';
import { connectTestRedis, deleteKeysWithPrefix, testRedisUrl, uniqueKeyPrefix, type TestRedisClient } from '../../harness/redis';
import { startTestService, type TestService } from '../fixtures/test-service';

/**
 * Every /v1 route behind the real wiring (createServingDeps + createApp, as `vigil serve` runs them), against the
 * embedded stores and Redis: what gets through authentication, scopes, allowlists and the rate limit. No model is
 * loaded: these tests are about the door, not about scores.
 */
const ROUTES: { method: 'get' | 'post'; path: string; scope: Scope | undefined }[] = [
  { method: 'get', path: '/v1/openapi.json', scope: undefined },
  { method: 'post', path: '/v1/score/login', scope: 'score' },
  { method: 'post', path: '/v1/score/withdrawal', scope: 'score' },
  { method: 'post', path: '/v1/events', scope: 'ingest' },
  { method: 'post', path: '/v1/labels', scope: 'label' },
  { method: 'get', path: '/v1/cases', scope: 'review' },
  { method: 'get', path: '/v1/cases/no-such-case', scope: 'review' },
  { method: 'post', path: '/v1/cases/no-such-case/label', scope: 'review' },
  { method: 'get', path: '/v1/models', scope: 'admin' },
  { method: 'post', path: '/v1/models/no-such-version/promote', scope: 'admin' },
  { method: 'post', path: '/v1/models/no-such-version/shadow', scope: 'admin' },
];

const modelDir = mkdtempSync(join(tmpdir(), 'vigil-empty-registry-'));
afterAll(() => rmSync(modelDir, { recursive: true, force: true }));

let admin: TestRedisClient;
beforeAll(async () => {
  admin = await connectTestRedis(testRedisUrl());
});
afterAll(() => admin.destroy());

const BACKENDS = [
  { name: 'embedded memory stores', redisUrl: (): string | undefined => undefined },
  { name: 'Redis', redisUrl: (): string | undefined => testRedisUrl() },
];

function send(service: TestService, route: (typeof ROUTES)[number], authorization: string | undefined) {
  const req = route.method === 'get' ? request(service.app).get(route.path) : request(service.app).post(route.path).send({});
  return authorization === undefined ? req : req.set('Authorization', authorization);
}

describe.each(BACKENDS)('API keys at the HTTP door, $name', (backend) => {
  let service: TestService;
  let prefix: string;
  const bearer: Record<string, string> = {};

  beforeAll(async () => {
    prefix = uniqueKeyPrefix();
    service = await startTestService({ redisUrl: backend.redisUrl(), keyPrefix: prefix, modelDir });
    const keys = service.runtime.security.keys;
    for (const scope of SCOPES) bearer[scope] = `Bearer ${(await keys.create({ name: `only ${scope}`, scopes: [scope] }, 'test')).key}`;
    const revoked = await keys.create({ name: 'revoked', scopes: [...SCOPES] }, 'test');
    await keys.revoke(revoked.id, 'test');
    bearer.revoked = `Bearer ${revoked.key}`;
    bearer.elsewhere = `Bearer ${(await keys.create({ name: 'office only', scopes: [...SCOPES], allowIps: ['10.0.0.0/8', '2001:db8::/32'] }, 'test')).key}`;
    bearer.loopback = `Bearer ${(await keys.create({ name: 'loopback only', scopes: [...SCOPES], allowIps: ['127.0.0.0/8', '::1'] }, 'test')).key}`;
  });
  afterAll(async () => {
    await service?.close();
    await deleteKeysWithPrefix(admin, prefix);
  });

  it.each(ROUTES)('$method $path refuses missing, malformed, unknown and revoked keys with 401', async (route) => {
    const refused = {
      missing: undefined,
      'not bearer': service.auth.replace('Bearer', 'Basic'),
      malformed: 'Bearer vgl_nope',
      unknown: `Bearer ${generateApiKey().key}`,
      'wrong secret': `${service.auth.slice(0, -43)}${generateApiKey().secret}`,
      revoked: bearer.revoked,
    };
    for (const [what, authorization] of Object.entries(refused)) {
      const res = await send(service, route, authorization);
      expect([what, res.status]).toEqual([what, 401]);
      expect(res.body).toEqual({ error: { code: 'unauthorized', message: 'missing or invalid API key' } });
    }
  });

  it.each(ROUTES)('$method $path refuses keys without its scope and keys from outside their allowlist with 403', async (route) => {
    for (const scope of SCOPES.filter((s) => s !== route.scope && route.scope !== undefined)) {
      const res = await send(service, route, bearer[scope]);
      expect([scope, res.status]).toEqual([scope, 403]);
      expect(res.body.error).toEqual({ code: 'forbidden', message: `API key 'only ${scope}' lacks the '${route.scope}' scope` });
    }
    const res = await send(service, route, bearer.elsewhere);
    expect(res.status).toBe(403);
    expect(res.body.error.message).toMatch(/^API key 'office only' may not be used from address (::ffff:)?127\.0\.0\.1$/);
  });

  it.each(ROUTES)('$method $path lets the right key through, from inside its allowlist (IPv4-mapped loopback)', async (route) => {
    for (const authorization of [route.scope ? bearer[route.scope] : bearer.score, bearer.loopback, service.auth]) {
      const res = await send(service, route, authorization);
      expect([401, 403, 429]).not.toContain(res.status);
    }
  });

  it('audits key creation and revocation with their actor', async () => {
    const kinds: [string, string, string][] = [];
    for await (const e of service.runtime.security.audit.read()) if (e.kind.startsWith('key_')) kinds.push([e.kind, e.actor, String(e.data.name)]);
    expect(kinds).toContainEqual(['key_created', 'test', 'revoked']);
    expect(kinds).toContainEqual(['key_revoked', 'test', 'revoked']);
  });
});

describe.each(BACKENDS)('rate limits at the HTTP door, $name', (backend) => {
  const RATE = 3;
  let service: TestService;
  let prefix: string;

  beforeAll(async () => {
    prefix = uniqueKeyPrefix();
    service = await startTestService({ redisUrl: backend.redisUrl(), keyPrefix: prefix, modelDir, env: { VIGIL_RATE_LIMIT_PER_SECOND: String(RATE) } });
  });
  afterAll(async () => {
    await service?.close();
    await deleteKeysWithPrefix(admin, prefix);
  });

  it('holds an abusive key to its limit with 429 and Retry-After while another key is served normally', async () => {
    const keys = service.runtime.security.keys;
    const abusive = `Bearer ${(await keys.create({ name: 'abusive', scopes: ['score'] }, 'test')).key}`;
    const polite = `Bearer ${(await keys.create({ name: 'polite', scopes: ['score'] }, 'test')).key}`;

    const started = performance.now();
    const statuses: number[] = [];
    for (let i = 0; i < 5 * RATE; i++) {
      const res = await request(service.app).get('/v1/openapi.json').set('Authorization', abusive);
      statuses.push(res.status);
      if (res.status === 429) {
        expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
        expect(res.body.error.code).toBe('rate_limited');
      }
    }
    const elapsedS = (performance.now() - started) / 1000;
    const served = statuses.filter((s) => s === 200).length;
    expect(statuses.slice(0, RATE)).toEqual(new Array(RATE).fill(200)); // the burst
    expect(served).toBeLessThanOrEqual(RATE + Math.ceil(elapsedS * RATE));
    expect(statuses).toContain(429);
    expect(statuses.filter((s) => s === 429).length).toBe(statuses.length - served);

    // The abusive key's budget is its own: the other key gets its full burst right away.
    for (let i = 0; i < RATE; i++) {
      const res = await request(service.app).get('/v1/openapi.json').set('Authorization', polite);
      expect(res.status).toBe(200);
    }
  });
});
