/**
 * @jest-environment ./test/serving/fixtures/onnx-test-environment.ts
 */
import { readdir } from 'node:fs/promises';
import request from 'supertest';
import type { UserState } from '../../features/state/user-state';
import type { ScoreResponse } from '../../serving/stores/serving-stores';
import { uniqueKeyPrefix } from '../harness/redis';
import { startRedisServer, type RedisServer } from '../harness/redis-server';
import { buildTrainedRegistry, removeTrainedRegistry, type TrainedRegistry } from './fixtures/trained-registry';
import { startTestService, type TestService } from './fixtures/test-service';

/*
 * Redis goes away in the middle of a run (SIGKILL) and comes back. While it is away every score is the policy's fail
 * mode, quickly, and the events wait in the spool; once it is back, answers are normal again, readiness recovers and
 * the spooled events are in the feature state. The server persists with an fsync'd append-only file, as a production
 * Redis would, so that its API keys and state survive the restart.
 */

const DEADLINE_MS = 100;
/** Room for a loaded two-core test machine; a request that waited on Redis would take far longer (or forever). */
const MARGIN_MS = 250;

let server: RedisServer;
let registry: TrainedRegistry;
let service: TestService;

beforeAll(async () => {
  [server, registry] = await Promise.all([startRedisServer({ args: ['--appendonly', 'yes', '--appendfsync', 'always'] }), buildTrainedRegistry()]);
  service = await startTestService({ redisUrl: server.url, keyPrefix: uniqueKeyPrefix(), modelDir: registry.modelDir, deadlineMs: DEADLINE_MS });
}, 120_000);

afterAll(async () => {
  await service?.close();
  await server?.stop();
  await removeTrainedRegistry(registry);
});

let n = 0;
const minute = () => new Date(Date.UTC(2026, 2, 1, 8, n)).toISOString();
const login = () => ({ eventId: `o-login-${++n}`, userId: 'u-outage', ts: minute(), ip: '192.0.2.10', deviceId: 'dev-o', success: true, country: 'NL' });
const withdrawal = () => ({
  eventId: `o-wd-${++n}`,
  userId: 'u-outage',
  ts: minute(),
  asset: 'BTC',
  chain: 'bitcoin',
  amount: 0.02,
  amountUsd: 1800,
  address: 'bc1qa6cl8nzkq7e794qjzvzpu374v39n5zeg8sv78h',
});

async function timedScore(type: 'login' | 'withdrawal', body: object): Promise<{ status: number; body: ScoreResponse; ms: number }> {
  const started = performance.now();
  const res = await request(service.app).post(`/v1/score/${type}`).set('Authorization', service.auth).send(body);
  return { status: res.status, body: res.body as ScoreResponse, ms: performance.now() - started };
}

async function waitUntil(what: string, condition: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

it('answers in the fail mode while Redis is down, then recovers and applies the spooled events', async () => {
  const normal = await timedScore('login', login());
  expect(normal.status).toBe(200);
  expect(normal.body.model?.version).toBe(registry.champions.login);
  await request(service.app).get('/readyz').expect(200);

  await server.kill();
  const spooled: string[] = [];
  const outageStarted = Date.now();
  // Longer than the API key cache (5 s): authentication must keep working from what it remembers.
  while (Date.now() - outageStarted < 6_000) {
    const l = login();
    const w = withdrawal();
    const [la, wa] = await Promise.all([timedScore('login', l), timedScore('withdrawal', w)]);
    for (const [answer, event, failMode] of [[la, l, 'step_up'], [wa, w, 'hold']] as const) {
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({
        eventId: event.eventId,
        score: null,
        decision: failMode,
        reasons: [{ code: 'feature_store_unavailable', text: expect.any(String) }],
        model: null,
      });
      expect(answer.ms).toBeLessThan(DEADLINE_MS + MARGIN_MS);
      spooled.push(event.eventId);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const down = await request(service.app).get('/readyz').expect(503);
  expect(down.body.checks.featureStore.ok).toBe(false);
  expect(down.body.checks.spool).toEqual({ ok: false, detail: `${spooled.length} events waiting to be applied` });
  const metrics = (await request(service.app).get('/metrics').expect(200)).text;
  expect(metrics).toMatch(new RegExp(`^vigil_feature_store_errors_total\\{reason="unavailable"\\} ${spooled.length}$`, 'm'));
  // Ingestion is refused rather than acknowledged: the client keeps the events and sends them again.
  const refused = await request(service.app).post('/v1/events').set('Authorization', service.auth).send({ events: [login()] });
  expect(refused.status).toBe(503);
  expect(refused.headers['retry-after']).toBe('1');

  await server.restart();
  await waitUntil('ready again', async () => (await request(service.app).get('/readyz')).status === 200);
  expect(service.runtime.spool.backlog()).toBe(0);
  expect((await readdir(service.config.spoolDir)).filter((f) => f.endsWith('.jsonl'))).toEqual([]);
  const state = (await service.runtime.featureStore.store.readState('user', 'u-outage')) as UserState;
  for (const id of spooled) expect(state.seen.has(id)).toBe(true);
  expect(state.wdTs).toHaveLength(spooled.length / 2);
  // What was answered during the outage is recorded as any answer is: audited, remembered for retries, held
  // withdrawals queued for analysts.
  const audited = new Map<string, unknown>();
  for await (const entry of service.runtime.security.audit.read()) if (entry.kind === 'decision') audited.set(entry.subject, entry.data.decision);
  for (const id of spooled) expect(audited.get(id)).toBe(id.startsWith('o-wd-') ? 'hold' : 'step_up');
  const held = spooled.filter((id) => id.startsWith('o-wd-'));
  const queued = await request(service.app).get('/v1/cases?status=open&type=withdrawal&limit=100').set('Authorization', service.auth).expect(200);
  expect((queued.body.cases as { id: string }[]).map((c) => c.id).sort()).toEqual([...held].sort());
  const retried = await request(service.app).post('/v1/score/withdrawal').set('Authorization', service.auth).send({ ...withdrawal(), eventId: held[0] });
  expect(retried.status).toBe(200);
  expect(retried.body).toMatchObject({ eventId: held[0], score: null, decision: 'hold', reasons: [{ code: 'feature_store_unavailable' }] });

  const after = await timedScore('withdrawal', withdrawal());
  expect(after.status).toBe(200);
  expect(typeof after.body.score).toBe('number');
  expect(after.body.model?.version).toBe(registry.champions.withdrawal);
});

it('answers within the deadline while Redis hangs (stopped, its connections open), and records those answers once it resumes', async () => {
  // A longer deadline than the other test's, so that waiting on the stopped server twice (for the rate limit, then
  // for features) cannot pass for waiting once, however loaded the machine.
  const deadlineMs = 400;
  const hung = await startTestService({ redisUrl: server.url, keyPrefix: uniqueKeyPrefix(), modelDir: registry.modelDir, deadlineMs });
  try {
    const score = async (body: object) => {
      const started = performance.now();
      const res = await request(hung.app).post('/v1/score/withdrawal').set('Authorization', hung.auth).send(body);
      return { status: res.status, body: res.body as ScoreResponse, ms: performance.now() - started };
    };
    expect((await score(withdrawal())).status).toBe(200); // the key has authenticated: it may go on without Redis
    const hungIds: string[] = [];
    process.kill(server.pid, 'SIGSTOP');
    try {
      const started = Date.now();
      // Past the API key cache (5 s) and many rate-limit leases: neither may make an answer wait on the stopped server.
      while (Date.now() - started < 6_000) {
        const w = withdrawal();
        const answer = await score(w);
        expect(answer.status).toBe(200);
        expect(answer.body).toMatchObject({ eventId: w.eventId, score: null, decision: 'hold', reasons: [{ code: 'feature_store_unavailable' }] });
        expect(answer.ms).toBeLessThan(deadlineMs + MARGIN_MS);
        hungIds.push(w.eventId);
        await new Promise((r) => setTimeout(r, 100));
      }
      expect((await request(hung.app).get('/readyz')).status).toBe(503);
    } finally {
      process.kill(server.pid, 'SIGCONT');
    }
    await waitUntil('spool drained', async () => hung.runtime.spool.backlog() === 0);
    const state = (await hung.runtime.featureStore.store.readState('user', 'u-outage')) as UserState;
    for (const id of hungIds) expect(state.seen.has(id)).toBe(true);
    const audited = new Set<string>();
    for await (const entry of hung.runtime.security.audit.read()) if (entry.kind === 'decision') audited.add(entry.subject);
    for (const id of hungIds) expect(audited.has(id)).toBe(true);
  } finally {
    await hung.close();
  }
});
