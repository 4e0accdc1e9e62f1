/**
 * @jest-environment ./test/serving/fixtures/onnx-test-environment.ts
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import request from 'supertest';
import { createLogger } from '../../core/logger';
import type { Label, VigilEvent } from '../../data/schemas';
import { featureNames } from '../../features/definitions';
import { loadList } from '../../features/deny-lists/commands';
import { createDenyListStore } from '../../features/deny-lists/create-deny-list-store';
import { FeaturePipeline } from '../../features/pipeline';
import type { UserState } from '../../features/state/user-state';
import type { ScoreResponse } from '../../serving/stores/serving-stores';
import { connectTestRedis, deleteKeysWithPrefix, testRedisUrl, uniqueKeyPrefix, type TestRedisClient } from '../harness/redis';
import { buildTrainedRegistry, removeTrainedRegistry, type TrainedRegistry } from './fixtures/trained-registry';
import { startTestService, type TestService } from './fixtures/test-service';

const OFAC_ETH = join(__dirname, '../../../shared/data/addresses/ofac/ETH.txt');
const log = createLogger('silent');

let registry: TrainedRegistry;
let service: TestService;
let redis: TestRedisClient;
const prefix = uniqueKeyPrefix();

beforeAll(async () => {
  registry = await buildTrainedRegistry({ challengers: true });
  service = await startTestService({ redisUrl: testRedisUrl(), keyPrefix: prefix, modelDir: registry.modelDir });
  redis = await connectTestRedis(testRedisUrl());
}, 120_000);

afterAll(async () => {
  await service?.close();
  if (redis) {
    await deleteKeysWithPrefix(redis, prefix);
    redis.destroy();
  }
  await removeTrainedRegistry(registry);
});

const post = (path: string, body: unknown) => request(service.app).post(path).set('Authorization', service.auth).send(body as object);

let sequence = 0;
const ts = (minute: number) => new Date(Date.UTC(2026, 1, 1, 12, minute)).toISOString();

function login(userId: string, minute: number, extra: Record<string, unknown> = {}) {
  return { eventId: `t-login-${++sequence}`, userId, ts: ts(minute), ip: '203.0.113.7', deviceId: 'dev-1', success: true, country: 'DE', lat: 52.5, lon: 13.4, ...extra };
}

function withdrawal(userId: string, minute: number, extra: Record<string, unknown> = {}) {
  return {
    eventId: `t-wd-${++sequence}`,
    userId,
    ts: ts(minute),
    asset: 'BTC',
    chain: 'bitcoin',
    amount: 0.01,
    amountUsd: 900,
    address: 'bc1qa6cl8nzkq7e794qjzvzpu374v39n5zeg8sv78h',
    ...extra,
  };
}

function expectAnswerShape(body: ScoreResponse, eventId: string, version: string): void {
  expect(body.eventId).toBe(eventId);
  expect(typeof body.score).toBe('number');
  expect(body.score).toBeGreaterThanOrEqual(0);
  expect(body.score).toBeLessThanOrEqual(1);
  expect(['allow', 'step_up', 'hold', 'block']).toContain(body.decision);
  expect(Array.isArray(body.reasons)).toBe(true);
  for (const reason of body.reasons) expect(reason).toEqual(expect.objectContaining({ code: expect.any(String), text: expect.any(String) }));
  expect(body.model).toEqual({ name: expect.any(String), version });
}

/** Features of `event` from the service's feature store, computed as scoring would (and applying it). */
async function featuresOf(event: VigilEvent): Promise<Record<string, number>> {
  const backend = service.runtime.featureStore;
  const pipeline = new FeaturePipeline({ store: backend.store, pseudonymize: backend.pseudonymize, denyLists: service.runtime.denyLists.lookup });
  const [result] = await pipeline.process([{ kind: 'event', event, tsMs: Date.parse(event.ts) }]);
  if (result?.kind !== 'features' || (event.type !== 'login' && event.type !== 'withdrawal')) throw new Error(`no features: ${result?.kind}`);
  const names = featureNames(event.type);
  return Object.fromEntries(names.map((name, i) => [name, result.features[i] as number]));
}

describe('scoring', () => {
  it('answers a login and a withdrawal with score, decision, reasons and the champion model', async () => {
    const l = login('u-shape', 0);
    const lr = await post('/v1/score/login', l).expect(200);
    expectAnswerShape(lr.body as ScoreResponse, l.eventId, registry.champions.login);

    const w = withdrawal('u-shape', 5);
    const wr = await post('/v1/score/withdrawal', w).expect(200);
    expectAnswerShape(wr.body as ScoreResponse, w.eventId, registry.champions.withdrawal);
  });

  it('gives a repeated event id the identical first answer and changes no state', async () => {
    const l = login('u-repeat', 0);
    const first = await post('/v1/score/login', l).expect(200);
    // Same id, even with other content: the remembered answer, and the event is not applied again.
    const again = await post('/v1/score/login', { ...l, deviceId: 'another-device' }).expect(200);
    expect(again.body).toEqual(first.body);

    const w = withdrawal('u-repeat', 10);
    const wFirst = await post('/v1/score/withdrawal', w).expect(200);
    for (let i = 0; i < 3; i++) expect((await post('/v1/score/withdrawal', w).expect(200)).body).toEqual(wFirst.body);

    const state = (await service.runtime.featureStore.store.readState('user', 'u-repeat')) as UserState;
    expect(state.loginTs).toHaveLength(1);
    expect(state.wdTs).toHaveLength(1);

    // The next event's features count the login and the withdrawal once.
    const next = await featuresOf({ type: 'withdrawal', ...withdrawal('u-repeat', 20) } as VigilEvent);
    expect(next.user_login_history).toBe(1);
    expect(next.dest_uses).toBe(1);
    expect(next.user_wd_history).toBe(1);
  });

  it('gives requests for one event id sent together the same first answer, none a 409', async () => {
    for (let round = 0; round < 5; round++) {
      const w = withdrawal(`u-together-${round}`, 0);
      const answers = await Promise.all(Array.from({ length: 4 }, () => post('/v1/score/withdrawal', w)));
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
      for (const a of answers) expect(a.body).toEqual(answers[0]?.body);
      const state = (await service.runtime.featureStore.store.readState('user', `u-together-${round}`)) as UserState;
      expect(state.wdTs).toHaveLength(1);
    }
  });

  it('blocks a withdrawal to an OFAC-listed address and names the list', async () => {
    const { store } = await createDenyListStore(service.config, log);
    try {
      await loadList(store, { name: 'ofac', chain: 'ethereum', file: OFAC_ETH, log });
    } finally {
      await store.close();
    }
    await service.runtime.denyLists.refresh();
    const listed = (await readFile(OFAC_ETH, 'utf8')).split('\n').find((line) => /^0x[0-9a-fA-F]{40}$/.test(line.trim())) as string;

    const w = withdrawal('u-sanctioned', 0, { asset: 'ETH', chain: 'ethereum', amount: 1, amountUsd: 3000, address: listed.trim() });
    const res = await post('/v1/score/withdrawal', w).expect(200);
    const body = res.body as ScoreResponse;
    expect(body.decision).toBe('block');
    expect(body.reasons).toContainEqual(expect.objectContaining({ code: 'deny_listed_destination', list: 'ofac' }));

    const clean = withdrawal('u-sanctioned', 5, { asset: 'ETH', chain: 'ethereum', amount: 1, amountUsd: 3000, address: `0x${'1'.repeat(40)}` });
    const cleanBody = (await post('/v1/score/withdrawal', clean).expect(200)).body as ScoreResponse;
    expect(cleanBody.reasons.some((r) => r.list !== undefined)).toBe(false);
  });

  it('ends a generated account takeover with step_up or hold before any of its withdrawals is allowed', async () => {
    const events = (await readFile(join(registry.dataDir, 'events.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as VigilEvent);
    const labels = (await readFile(join(registry.dataDir, 'labels.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Label);
    const truth = (await readFile(join(registry.dataDir, 'truth.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { eventId: string; scenario: string });
    const takeover = new Set(truth.filter((t) => t.scenario === 'account_takeover').map((t) => t.eventId));
    // The first takeover that reaches into the models' test period (they were not trained on its end).
    const byUser = new Map<string, VigilEvent[]>();
    for (const e of events) if (takeover.has(e.eventId)) byUser.set(e.userId, [...(byUser.get(e.userId) ?? []), e]);
    const sequence = [...byUser.values()].find((s) => (s[s.length - 1] as VigilEvent).ts >= '2026-01-15' && s.some((e) => e.type === 'withdrawal'));
    if (!sequence) throw new Error('the generated world has no account takeover with a withdrawal in the test period');
    const inSequence = new Set(sequence.map((e) => e.eventId));

    // Online replay, acting on the answers as a client does: everything before a takeover event is ingested (events,
    // then the labels known by then); each takeover login and withdrawal is scored in its turn, and the takeover ends
    // at the first answer that is not `allow` (the attacker faces the challenge, or the funds are frozen).
    let pending: VigilEvent[] = [];
    let labelIndex = 0;
    const flush = async (until: string) => {
      // 500 per request: 1000 full events would exceed the default body limit (256kb).
      for (let i = 0; i < pending.length; i += 500) expect((await post('/v1/events', { events: pending.slice(i, i + 500) })).status).toBe(202);
      pending = [];
      const known: Label[] = [];
      while (labelIndex < labels.length && (labels[labelIndex] as Label).ts <= until) known.push(labels[labelIndex++] as Label);
      for (let i = 0; i < known.length; i += 500) expect((await post('/v1/labels', { labels: known.slice(i, i + 500) })).status).toBe(202);
    };
    const answers: { event: VigilEvent; answer: ScoreResponse }[] = [];
    for (const e of events) {
      if (!inSequence.has(e.eventId)) {
        pending.push(e);
        continue;
      }
      await flush(e.ts);
      if (e.type === 'account_change') {
        await post('/v1/events', { events: [e] }).expect(202);
        continue;
      }
      const answer = (await post(`/v1/score/${e.type}`, e).expect(200)).body as ScoreResponse;
      answers.push({ event: e, answer });
      if (answer.decision !== 'allow') break;
    }
    const final = answers[answers.length - 1];
    expect(final && ['step_up', 'hold']).toContain(final?.answer.decision);
    expect(final?.answer.score).not.toBeNull();
    expect(final?.answer.reasons.length).toBeGreaterThan(0);
    expect(answers.filter((a) => a.event.type === 'withdrawal' && a.answer.decision === 'allow')).toEqual([]);
    // The analysts see it.
    const opened = await request(service.app).get(`/v1/cases/${final?.event.eventId}`).set('Authorization', service.auth).expect(200);
    expect(opened.body).toMatchObject({ id: final?.event.eventId, decision: final?.answer.decision, status: 'open', userId: sequence[0]?.userId });
  });
});

describe('ingestion', () => {
  it('applies a valid batch and counts repeats as duplicates', async () => {
    const events = [login('u-ingest', 0), withdrawal('u-ingest', 1), { eventId: `t-ac-${++sequence}`, userId: 'u-ingest', ts: ts(2), change: 'password_reset' }];
    expect((await post('/v1/events', { events }).expect(202)).body).toEqual({ accepted: 3, duplicates: 0 });
    expect((await post('/v1/events', { events }).expect(202)).body).toEqual({ accepted: 0, duplicates: 3 });
    const state = (await service.runtime.featureStore.store.readState('user', 'u-ingest')) as UserState;
    expect(state.loginTs).toHaveLength(1);
    expect(state.wdTs).toHaveLength(1);
    expect(state.lastChange.password_reset).toBe(Date.parse(ts(2)));

    const labels = [
      { eventId: events[1]?.eventId, label: 'fraud', ts: ts(30) },
      { eventId: 'never-seen', label: 'legit', ts: ts(30) },
    ];
    expect((await post('/v1/labels', { labels }).expect(202)).body).toEqual({ accepted: 1, unknownEvents: 1 });
    const labelled = (await service.runtime.featureStore.store.readState('user', 'u-ingest')) as UserState;
    expect(labelled.labels.get(events[1]?.eventId as string)).toEqual([Date.parse(ts(30)), 1]);
    const audited: unknown[] = [];
    for await (const entry of service.runtime.security.audit.read()) if (entry.kind === 'label') audited.push(entry);
    expect(audited).toContainEqual(expect.objectContaining({ kind: 'label', subject: events[1]?.eventId, data: { label: 'fraud', ts: ts(30), source: null } }));
  });

  it('rejects a whole batch for one bad item, naming its index, and applies nothing', async () => {
    const events = [login('u-bad-batch', 0), login('u-bad-batch', 1), login('u-bad-batch', 2, { ts: 'yesterday' }), withdrawal('u-bad-batch', 3, { amount: -1 })];
    const res = await post('/v1/events', { events }).expect(400);
    expect(res.body.error.details).toEqual(
      expect.arrayContaining([
        { path: ['events', 2, 'ts'], message: expect.any(String) },
        { path: ['events', 3, 'amount'], message: expect.any(String) },
      ]),
    );
    expect(await service.runtime.featureStore.store.readState('user', 'u-bad-batch')).toBeUndefined();

    const tooMany = Array.from({ length: 1001 }, (_, i) => login('u-bad-batch', i));
    const big = await post('/v1/events', { events: tooMany });
    expect([400, 413]).toContain(big.status);
    const empty = await post('/v1/labels', { labels: [] }).expect(400);
    expect(empty.body.error.details).toEqual([{ path: ['labels'], message: expect.stringContaining('1 to 1000') }]);
    await post('/v1/labels', { labels: [{ eventId: 'x', label: 'maybe', ts: ts(0) }] })
      .expect(400)
      .expect((r) => expect(r.body.error.details[0].path).toEqual(['labels', 0, 'label']));
    expect(await service.runtime.featureStore.store.readState('user', 'u-bad-batch')).toBeUndefined();
  });
});

describe('models', () => {
  it('switches versions on promotion and rollback during a stream of requests, without a failed request', async () => {
    const champion = registry.champions.login;
    const challenger = registry.challengers.login as string;
    expect(challenger).toBeDefined();
    type Outcome = { status: number; version: string | undefined; startedAt: number; endedAt: number };
    const outcomes: Outcome[] = [];
    let running = true;
    let n = 0;
    const worker = async (w: number) => {
      while (running) {
        const startedAt = performance.now();
        const res = await post('/v1/score/login', login(`u-stream-${w}`, n++ % 1000));
        outcomes.push({ status: res.status, version: (res.body as ScoreResponse).model?.version, startedAt, endedAt: performance.now() });
      }
    };
    const workers = [0, 1, 2, 3].map(worker);
    const waitForAnswers = async (count: number) => {
      const target = outcomes.length + count;
      while (outcomes.length < target) await new Promise((r) => setTimeout(r, 5));
    };

    await waitForAnswers(20);
    const promotion = await post(`/v1/models/${challenger}/promote`, {}).expect(200);
    expect(promotion.body).toMatchObject({ version: challenger, eventType: 'login', previous: champion });
    const promotedAt = performance.now();
    await waitForAnswers(40);
    const rollback = await post(`/v1/models/${champion}/promote`, {}).expect(200);
    expect(rollback.body).toMatchObject({ version: champion, previous: challenger });
    const rolledBackAt = performance.now();
    await waitForAnswers(40);
    running = false;
    await Promise.all(workers);

    expect(outcomes.filter((o) => o.status !== 200)).toEqual([]);
    // Requests that began after a switch completed were answered by the new champion.
    const between = outcomes.filter((o) => o.startedAt > promotedAt && o.endedAt < rolledBackAt);
    const after = outcomes.filter((o) => o.startedAt > rolledBackAt);
    expect(between.length).toBeGreaterThan(0);
    expect(new Set(between.map((o) => o.version))).toEqual(new Set([challenger]));
    expect(new Set(after.map((o) => o.version))).toEqual(new Set([champion]));
    expect(outcomes[0]?.version).toBe(champion);

    const listed = await request(service.app).get('/v1/models').set('Authorization', service.auth).expect(200);
    expect(listed.body.champions.login).toBe(champion);
  });

  it('scores a challenger in shadow and counts it, never acting on it', async () => {
    const challenger = registry.challengers.withdrawal as string;
    await post(`/v1/models/${challenger}/shadow`, { enabled: true }).expect(200);
    const res = await post('/v1/score/withdrawal', withdrawal('u-shadow', 0)).expect(200);
    expect(res.body.model.version).toBe(registry.champions.withdrawal);
    // The shadow score is computed after the answer; give it a moment to land.
    let metrics = '';
    for (let i = 0; i < 50 && !metrics.includes(`vigil_shadow_scores_total{type="withdrawal",version="${challenger}"} 1`); i++) {
      await new Promise((r) => setTimeout(r, 20));
      metrics = (await request(service.app).get('/metrics').expect(200)).text;
    }
    expect(metrics).toContain(`vigil_shadow_scores_total{type="withdrawal",version="${challenger}"} 1`);
    await post(`/v1/models/${challenger}/shadow`, { enabled: false }).expect(200);
  });
});

describe('operations', () => {
  it('reports readiness of the feature store, the champions and the spool', async () => {
    const res = await request(service.app).get('/readyz').expect(200);
    expect(res.body).toEqual({
      ready: true,
      checks: {
        featureStore: { ok: true },
        'model.login': { ok: true, detail: registry.champions.login },
        'model.withdrawal': { ok: true, detail: registry.champions.withdrawal },
        spool: { ok: true },
      },
    });
  });

  it('exposes the decision, model, feature-store and shadow counters and the latency histogram', async () => {
    const text = (await request(service.app).get('/metrics').expect(200)).text;
    expect(text).toMatch(/^vigil_decisions_total\{type="login",decision="(allow|step_up|block)"\} [1-9]\d*$/m);
    expect(text).toMatch(/^vigil_decisions_total\{type="withdrawal",decision="block"\} [1-9]\d*$/m);
    expect(text).toContain(`vigil_model_info{type="login",version="${registry.champions.login}"} 1`);
    expect(text).toContain(`vigil_model_info{type="withdrawal",version="${registry.champions.withdrawal}"} 1`);
    expect(text).not.toContain(`vigil_model_info{type="login",version="${registry.challengers.login}"}`);
    expect(text).toMatch(/^vigil_feature_store_errors_total\{reason="unavailable"\} 0$/m);
    expect(text).toContain('# TYPE vigil_shadow_scores_total counter');
    expect(text).toMatch(/^vigil_http_request_duration_seconds_bucket\{le="0\.005",method="POST",route="\/v1\/score\/login",status="200"\} \d+$/m);
    expect(text).toContain('vigil_spool_backlog_events 0');
    expect(text).toContain('process_cpu_user_seconds_total');
  });

  it('lists every route of the app in /v1/openapi.json, with request and response schemas', async () => {
    const doc = (await request(service.app).get('/v1/openapi.json').set('Authorization', service.auth).expect(200)).body;
    const documented = new Set<string>();
    for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
      for (const method of Object.keys(ops)) documented.add(`${method.toUpperCase()} ${path}`);
    }
    const routes = appRoutes(service.app);
    expect(routes.length).toBeGreaterThanOrEqual(14);
    for (const route of routes) expect(documented).toContain(route);

    const schemas = doc.components.schemas;
    expect(schemas.LoginEvent.required).toEqual(expect.arrayContaining(['eventId', 'userId', 'ts', 'ip', 'deviceId', 'success']));
    expect(schemas.WithdrawalEvent.properties.amount).toEqual({ type: 'number', minimum: 0 });
    expect(schemas.ScoreResponse.required).toEqual(['eventId', 'score', 'decision', 'reasons', 'model']);
    expect(doc.paths['/v1/score/withdrawal'].post.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/WithdrawalEvent' });
    expect(doc.paths['/v1/events'].post.responses['400'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Error' });
    for (const ref of JSON.stringify(doc).match(/#\/components\/schemas\/\w+/g) ?? []) expect(schemas).toHaveProperty(ref.split('/').pop() as string);
  });
});

interface RouterLayer {
  rawPath?: string;
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: RouterLayer[] };
}

/** `METHOD /path/{param}` of every route registered on the app, walking its routers. */
function appRoutes(app: unknown): string[] {
  const out: string[] = [];
  const walk = (stack: RouterLayer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const method of Object.keys(layer.route.methods)) out.push(`${method.toUpperCase()} ${prefix}${layer.route.path.replace(/:(\w+)/g, '{$1}')}`);
      } else if (layer.handle?.stack) {
        walk(layer.handle.stack, prefix + (layer.rawPath && layer.rawPath !== '/' ? layer.rawPath : ''));
      }
    }
  };
  walk((app as { router: { stack: RouterLayer[] } }).router.stack, '');
  return out;
}
