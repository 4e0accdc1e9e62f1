import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { safeParseEvent, safeParseEventOf, safeParseLabel } from '../../data/schemas';
import { connectTestRedis, deleteKeysWithPrefix, testRedisUrl, uniqueKeyPrefix, type TestRedisClient } from '../harness/redis';
import { startTestService, type TestService } from './fixtures/test-service';

/*
 * Invariant 5 (no silent defaults) at the HTTP boundary: well over a thousand generated malformed requests, each
 * answered 4xx with the fields at fault, none answered 5xx, and not one of them changing any state. No model is
 * loaded: validation comes before the model, and a malformed request that slipped through would show up as a
 * 200 fail-mode answer and as changed feature state.
 */

type Path = (string | number)[];

interface Case {
  name: string;
  path: string;
  /** A value sent as JSON, or a string sent as the raw body. */
  body: unknown;
  raw?: boolean;
  headers?: Record<string, string>;
  /** The exact status expected; otherwise 400. */
  status?: number;
  /** A field path some `error.details` entry must start with. */
  field?: Path;
}

let service: TestService;
let redis: TestRedisClient;
let modelDir: string;
const prefix = uniqueKeyPrefix();

beforeAll(async () => {
  modelDir = await mkdtemp(join(tmpdir(), 'vigil-no-models-'));
  // A budget no test run reaches: a 429 here would hide what validation says.
  service = await startTestService({ redisUrl: testRedisUrl(), keyPrefix: prefix, modelDir, env: { VIGIL_RATE_LIMIT_PER_SECOND: '1000000' } });
  redis = await connectTestRedis(testRedisUrl());
});

afterAll(async () => {
  await service?.close();
  if (redis) {
    await deleteKeysWithPrefix(redis, prefix);
    redis.destroy();
  }
  await rm(modelDir, { recursive: true, force: true });
});

/** A small seeded generator (mulberry32), so every run sends the same requests. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ETH = '0x52908400098527886e0f7030069857d2e4169ee7';
const baseLogin = () => ({ eventId: 'm-login-1', userId: 'u-malformed', ts: '2026-02-01T10:00:00Z', ip: '198.51.100.4', deviceId: 'dev-m', success: true, country: 'FR', lat: 48.85, lon: 2.35, mfa: true });
const baseWithdrawal = () => ({ eventId: 'm-wd-1', userId: 'u-malformed', ts: '2026-02-01T10:05:00Z', asset: 'ETH', chain: 'ethereum', amount: 0.5, amountUsd: 1500, address: ETH, ip: '198.51.100.4', deviceId: 'dev-m' });
const baseChange = () => ({ type: 'account_change', eventId: 'm-ac-1', userId: 'u-malformed', ts: '2026-02-01T10:06:00Z', change: 'password_reset' });
const baseLabel = () => ({ eventId: 'seed-wd-0', label: 'fraud', ts: '2026-02-02T00:00:00Z' });

const WRONG_TYPES: unknown[] = [null, 0, -1, 1.5, true, false, '', ' ', 'x', [], ['a'], {}, { a: 1 }, 'NaN', '\u0000', 'a'.repeat(1000)];
const BAD_TIMESTAMPS: unknown[] = [
  'yesterday', '2026-13-01T00:00:00Z', '2026-02-30T00:00:00Z', '2026-01-01T25:00:00Z', '2026-01-01T00:60:00Z', '2026-01-01',
  '2026-01-01 00:00:00', '01/02/2026', '2026-01-01T00:00:00', '2026-01-01T00:00:00+25:00', '', 1767225600000, -1, null, true, [], {}, 'NaN', 'Infinity',
  '9999999-01-01T00:00:00Z', '2026-W01', 'T00:00:00Z',
]; // prettier-ignore
const BAD_AMOUNTS: unknown[] = [-1, -0.01, -1e-9, 'NaN', 'Infinity', '-Infinity', '-1', '1', '1e400', null, true, [], {}, '', '0x10'];
/** Sent as raw JSON: numbers JSON cannot carry, or that overflow to Infinity when parsed. */
const RAW_AMOUNTS = ['NaN', 'Infinity', '-Infinity', '1e400', '-1e400', '1e999999', '-0.5', '- 1', '0x10', '.5', '01'];
const BAD_ADDRESSES: unknown[] = [
  '', ' ', '0x', '0x123', `0x${'g'.repeat(40)}`, `0x${'a'.repeat(39)}`, `0x${'a'.repeat(41)}`, '0x52908400098527886E0F7030069857D2E4169Ee7',
  '1BoatSLRHtKNngkdXEeobR76b53LETtpyT', 'bc1qa6cl8nzkq7e794qjzvzpu374v39n5zeg8sv78h', 'TXYZopYRdj2D9XRtbG411XZZ3kM5VkAeBf', 'a'.repeat(129),
  `${ETH} `, `\u202e${ETH}`, 'ＥＴＨ', null, 42, [],
]; // prettier-ignore
const BAD_IPS: unknown[] = ['256.1.1.1', '1.2.3', '::gg', 'localhost', '1.2.3.4/24', '', 'http://1.2.3.4', 3232235777];
const BAD_TYPES: unknown[] = ['logout', 'LOGIN', 'Withdrawal', 'deposit', '', 'login ', 123, null, true, [], {}];
const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', '__defineGetter__', 'hasOwnProperty', 'toString', 'valueOf'];

const LOGIN_REQUIRED = ['eventId', 'userId', 'ts', 'ip', 'deviceId', 'success'];
const WITHDRAWAL_REQUIRED = ['eventId', 'userId', 'ts', 'asset', 'amount', 'address'];

function without(obj: Record<string, unknown>, key: string): Record<string, unknown> {
  const { [key]: _dropped, ...rest } = obj;
  return rest;
}

/** Keeps only bodies the contract rejects: a mutation that happens to be valid is no malformed request. */
function invalidEvent(type: 'login' | 'withdrawal', body: unknown): boolean {
  return !safeParseEventOf(type, body).ok;
}

function generateCases(): Case[] {
  const random = prng(20260201);
  const cases: Case[] = [];
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

  /** Sends a bad event alone to its scoring route and inside an ingestion batch at a random position. */
  const eventCase = (type: 'login' | 'withdrawal', name: string, body: Record<string, unknown>, field: Path | undefined) => {
    if (!invalidEvent(type, body)) return;
    cases.push({ name: `score/${type}: ${name}`, path: `/v1/score/${type}`, body, field });
    const batch: unknown[] = Array.from({ length: 1 + Math.floor(random() * 5) }, (_, i) => ({ ...baseChange(), eventId: `m-ok-${i}` }));
    const at = Math.floor(random() * (batch.length + 1));
    batch.splice(at, 0, { type, ...body });
    cases.push({ name: `events[${at}] ${type}: ${name}`, path: '/v1/events', body: { events: batch }, field: field ? ['events', at, ...field] : ['events', at] });
  };

  for (const [type, base, required] of [
    ['login', baseLogin, LOGIN_REQUIRED],
    ['withdrawal', baseWithdrawal, WITHDRAWAL_REQUIRED],
  ] as const) {
    for (const field of required) eventCase(type, `missing ${field}`, without(base(), field), [field]);
    for (const field of Object.keys(base())) {
      for (const value of WRONG_TYPES) eventCase(type, `${field} = ${JSON.stringify(value).slice(0, 20)}`, { ...base(), [field]: value }, [field]);
    }
    for (const value of BAD_TIMESTAMPS) eventCase(type, `ts = ${JSON.stringify(value)}`, { ...base(), ts: value }, ['ts']);
    for (const value of BAD_IPS) eventCase(type, `ip = ${JSON.stringify(value)}`, { ...base(), ip: value }, ['ip']);
    for (const value of BAD_TYPES) {
      cases.push({ name: `score/${type}: type = ${JSON.stringify(value)}`, path: `/v1/score/${type}`, body: { ...base(), type: value }, field: ['type'] });
      cases.push({ name: `events: ${type} with type = ${JSON.stringify(value)}`, path: '/v1/events', body: { events: [{ ...base(), type: value }] }, field: ['events', 0] });
    }
    for (const key of PROTO_KEYS) {
      // The key itself is no fault (unknown fields are dropped); the event also misses a field, and nothing may be
      // polluted on the way.
      const missing = pick(required);
      const inner = JSON.stringify(without(base(), missing)).slice(1);
      cases.push({ name: `${type}: "${key}" key, missing ${missing}`, path: `/v1/score/${type}`, body: `{"${key}":{"polluted":true,"prototype":{"polluted":true}},${inner}`, raw: true, field: [missing] });
      cases.push({ name: `events: "${key}" envelope key`, path: '/v1/events', body: `{"${key}":{"polluted":true},"events":[${JSON.stringify({ type, ...base() })}]}`, raw: true, field: [key] });
    }
    for (let i = 0; i < 12; i++) {
      // Several faults at once: every one is reported.
      const faults = [pick(required), pick(required)].filter((f, j, all) => all.indexOf(f) === j);
      const body = { ...base(), ...Object.fromEntries(faults.map((f) => [f, pick(WRONG_TYPES.filter((v) => typeof v !== 'string'))])) };
      eventCase(type, `faults in ${faults.join(', ')}`, body, [faults[0] as string]);
    }
  }

  for (const field of ['amount', 'amountUsd']) {
    for (const value of BAD_AMOUNTS) eventCase('withdrawal', `${field} = ${JSON.stringify(value)}`, { ...baseWithdrawal(), [field]: value }, [field]);
    for (const raw of RAW_AMOUNTS) {
      const text = JSON.stringify({ ...baseWithdrawal(), [field]: 12345 }).replace('12345', raw);
      const parsed = (() => {
        try {
          return JSON.parse(text) as unknown;
        } catch {
          return undefined;
        }
      })();
      if (parsed !== undefined && !invalidEvent('withdrawal', parsed)) continue;
      // Unparseable JSON is reported at the root; JSON that parses (1e400 is Infinity) at the field.
      cases.push({ name: `raw ${field} ${raw}`, path: '/v1/score/withdrawal', body: text, raw: true, field: parsed === undefined ? [] : [field] });
      cases.push({ name: `raw events ${field} ${raw}`, path: '/v1/events', body: `{"events":[${text.replace('{', '{"type":"withdrawal",')}]}`, raw: true, field: parsed === undefined ? [] : ['events', 0, field] });
    }
  }
  for (const address of BAD_ADDRESSES) {
    for (const chain of ['ethereum', 'bitcoin', 'tron', 'arbitrum']) {
      eventCase('withdrawal', `address ${JSON.stringify(address)} on ${chain}`, { ...baseWithdrawal(), chain, asset: chain === 'bitcoin' ? 'BTC' : chain === 'tron' ? 'TRX' : 'ETH', address }, ['address']);
    }
  }
  for (const chain of ['Ethereum', 'eth/main', '', 'x'.repeat(33), 7]) eventCase('withdrawal', `chain ${JSON.stringify(chain)}`, { ...baseWithdrawal(), chain }, ['chain']);
  for (const asset of ['', 'ETH!', 'E'.repeat(17), 'eth ', 3]) eventCase('withdrawal', `asset ${JSON.stringify(asset)}`, { ...baseWithdrawal(), asset }, ['asset']);
  for (const [field, value] of [['lat', 91], ['lat', -90.5], ['lon', 180.01], ['lon', -181], ['country', 'XX'], ['country', 'de'], ['country', 'DEU']] as const) {
    eventCase('login', `${field} = ${value}`, { ...baseLogin(), [field]: value }, [field]);
    eventCase('withdrawal', `${field} = ${value}`, { ...baseWithdrawal(), [field]: value }, [field]);
  }

  // Well-formed, but timed beyond VIGIL_MAX_CLOCK_SKEW_MS (5 minutes) ahead of the server's clock.
  for (const aheadMs of [6 * 60_000, 3_600_000, 180 * 365 * 86_400_000]) {
    const ts = new Date(Date.now() + aheadMs).toISOString();
    cases.push({ name: `score/login ts +${aheadMs} ms`, path: '/v1/score/login', body: { ...baseLogin(), ts }, field: ['ts'] });
    cases.push({ name: `score/withdrawal ts +${aheadMs} ms`, path: '/v1/score/withdrawal', body: { ...baseWithdrawal(), ts }, field: ['ts'] });
    cases.push({ name: `events ts +${aheadMs} ms`, path: '/v1/events', body: { events: [baseChange(), { type: 'login', ...baseLogin(), ts }] }, field: ['events', 1, 'ts'] });
    cases.push({ name: `labels ts +${aheadMs} ms`, path: '/v1/labels', body: { labels: [{ ...baseLabel(), ts }] }, field: ['labels', 0, 'ts'] });
  }

  // Account changes and labels, alone in their batches.
  for (const change of ['unknown_change', '', null, 1, 'PASSWORD_RESET']) {
    cases.push({ name: `change ${JSON.stringify(change)}`, path: '/v1/events', body: { events: [{ ...baseChange(), change }] }, field: ['events', 0, 'change'] });
  }
  for (const key of Object.keys(baseLabel())) {
    cases.push({ name: `label missing ${key}`, path: '/v1/labels', body: { labels: [without(baseLabel(), key)] }, field: ['labels', 0, key] });
    for (const value of WRONG_TYPES) {
      const label = { ...baseLabel(), [key]: value };
      if (!safeParseLabel(label).ok) cases.push({ name: `label ${key} = ${JSON.stringify(value).slice(0, 20)}`, path: '/v1/labels', body: { labels: [baseLabel(), label] }, field: ['labels', 1, key] });
    }
  }
  for (const value of BAD_TIMESTAMPS) cases.push({ name: `label ts ${JSON.stringify(value)}`, path: '/v1/labels', body: { labels: [{ ...baseLabel(), ts: value }] }, field: ['labels', 0, 'ts'] });
  for (const label of ['Fraud', 'maybe', 'true', 1, null]) cases.push({ name: `label ${JSON.stringify(label)}`, path: '/v1/labels', body: { labels: [{ ...baseLabel(), label }] }, field: ['labels', 0, 'label'] });

  // Broken envelopes.
  for (const [path, field] of [['/v1/events', 'events'], ['/v1/labels', 'labels']] as const) {
    for (const value of [null, 1, 'x', {}, true, [], [null], [1], ['x'], [[]]]) {
      cases.push({ name: `${field} = ${JSON.stringify(value)}`, path, body: { [field]: value }, field: Array.isArray(value) && value.length > 0 ? [field, 0] : [field] });
    }
    cases.push({ name: `${field}: no envelope`, path, body: {}, field: [field] });
    cases.push({ name: `${field}: wrong envelope key`, path, body: { items: [] }, field: ['items'] });
    cases.push({ name: `${field}: bare array`, path, body: [baseChange()], field: [] });
    cases.push({ name: `${field}: 1001 items`, path, body: { [field]: Array.from({ length: 1001 }, (_, i) => (field === 'events' ? { ...baseChange(), eventId: `m-${i}` } : { ...baseLabel(), eventId: `m-${i}` })) }, field: [field] });
  }
  for (const type of ['login', 'withdrawal'] as const) {
    for (const body of [[], [baseLogin()], 'a string', 42, true, null]) cases.push({ name: `score/${type}: body ${JSON.stringify(body).slice(0, 20)}`, path: `/v1/score/${type}`, body: JSON.stringify(body), raw: true, field: [] });
    for (const raw of ['', '{', '{"eventId":', '{"a":1,}', "{'a':1}", '{"a":1}{"b":2}', '\u0000', 'null', '"x"', '{"eventId":"a" "userId":"b"}']) {
      cases.push({ name: `score/${type}: raw ${JSON.stringify(raw)}`, path: `/v1/score/${type}`, body: raw, raw: true, field: [] });
    }
  }

  // Deeply nested bodies and fields.
  for (const depth of [64, 1_000, 10_000, 40_000]) {
    const arrays = `${'['.repeat(depth)}${']'.repeat(depth)}`;
    const objects = `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    cases.push({ name: `nested arrays ${depth}`, path: '/v1/score/login', body: arrays, raw: true, field: [] });
    cases.push({ name: `nested objects in eventId ${depth}`, path: '/v1/score/withdrawal', body: `{"eventId":${objects},"userId":"u"}`, raw: true, field: ['eventId'] });
    cases.push({ name: `nested item ${depth}`, path: '/v1/events', body: `{"events":[${arrays}]}`, raw: true, field: ['events', 0] });
    cases.push({ name: `nested label ${depth}`, path: '/v1/labels', body: `{"labels":[${objects}]}`, raw: true, field: ['labels', 0] });
  }

  // Bodies over the limit (VIGIL_BODY_LIMIT, 1mb by default): 413, nothing read further.
  const big = 'x'.repeat(1200 * 1024);
  for (const path of ['/v1/score/login', '/v1/score/withdrawal', '/v1/events', '/v1/labels', '/v1/cases/x/label', '/v1/models/x/shadow']) {
    cases.push({ name: `huge string at ${path}`, path, body: { eventId: big }, status: 413 });
    cases.push({ name: `huge batch at ${path}`, path, body: { events: Array.from({ length: 6000 }, (_, i) => ({ ...baseLogin(), eventId: `h-${i}` })) }, status: 413 });
    cases.push({ name: `huge raw at ${path}`, path, body: `{"a":"${big}`, raw: true, status: 413 });
  }

  // Transport-level faults.
  for (const path of ['/v1/score/login', '/v1/events']) {
    cases.push({ name: `bad charset at ${path}`, path, body: JSON.stringify(baseLogin()), raw: true, headers: { 'Content-Type': 'application/json; charset=latin1' }, status: 415 });
    cases.push({ name: `unknown encoding at ${path}`, path, body: JSON.stringify(baseLogin()), raw: true, headers: { 'Content-Encoding': 'compress' }, status: 415 });
    cases.push({ name: `gzip that is not at ${path}`, path, body: JSON.stringify(baseLogin()), raw: true, headers: { 'Content-Encoding': 'gzip' }, status: 400 });
  }

  // Other routes' inputs.
  for (const body of [{}, { enabled: 'yes' }, { enabled: 1 }, { enabled: true, extra: 1 }, [], null]) {
    cases.push({ name: `shadow ${JSON.stringify(body)}`, path: '/v1/models/some-version/shadow', body: JSON.stringify(body), raw: true });
  }
  for (const body of [{}, { label: 'maybe' }, { label: 'fraud', note: 5 }, { label: 'fraud', extra: 1 }, [], 'fraud']) {
    cases.push({ name: `case label ${JSON.stringify(body)}`, path: '/v1/cases/seed-wd-0/label', body: JSON.stringify(body), raw: true });
  }
  return cases;
}

/** Every key under the prefix with its type and content, except the rate limiter's budget (charged per request by design). */
async function snapshot(): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for await (const keys of redis.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) {
    for (const key of keys) {
      if (key.startsWith(`${prefix}rl:`)) continue;
      const type = await redis.type(key);
      let content: unknown;
      if (type === 'string') content = await redis.get(key);
      else if (type === 'list') content = await redis.lRange(key, 0, -1);
      else if (type === 'hash') content = await redis.hGetAll(key);
      else if (type === 'set') content = (await redis.sMembers(key)).sort();
      else if (type === 'zset') content = await redis.zRangeWithScores(key, 0, -1);
      else if (type === 'stream') content = await redis.xRange(key, '-', '+');
      else content = `(${type})`;
      out.set(key, `${type}:${JSON.stringify(content)}`);
    }
  }
  return out;
}

it('answers over a thousand malformed requests with 4xx and field paths, and changes no state', async () => {
  // Some state to change: scored and ingested events, a case, a label.
  const auth = service.auth;
  for (let i = 0; i < 3; i++) {
    await request(service.app).post('/v1/score/login').set('Authorization', auth).send({ ...baseLogin(), eventId: `seed-login-${i}` }).expect(200);
    await request(service.app).post('/v1/score/withdrawal').set('Authorization', auth).send({ ...baseWithdrawal(), eventId: `seed-wd-${i}` }).expect(200);
  }
  await request(service.app).post('/v1/events').set('Authorization', auth).send({ events: [{ ...baseChange(), eventId: 'seed-ac' }] }).expect(202);
  await request(service.app).post('/v1/labels').set('Authorization', auth).send({ labels: [{ ...baseLabel(), eventId: 'seed-wd-1' }] }).expect(202);
  const before = await snapshot();
  expect(before.size).toBeGreaterThan(5);

  const cases = generateCases();
  expect(cases.length).toBeGreaterThanOrEqual(1000);
  const failures: string[] = [];
  const statuses = new Map<number, number>();
  for (const c of cases) {
    let req = request(service.app).post(c.path).set('Authorization', auth);
    for (const [k, v] of Object.entries(c.headers ?? {})) req = req.set(k, v);
    if (c.raw && !c.headers?.['Content-Type']) req = req.set('Content-Type', 'application/json');
    const res = await req.send(c.raw ? (c.body as string) : (c.body as object));
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    const error = res.body?.error as { code?: string; details?: { path: Path; message: string }[] } | undefined;
    // The routes of this brief answer bad input with 400 exactly; other routes' validation is their own (any 4xx).
    const exact = c.status ?? (/^\/v1\/(score|events|labels)/.test(c.path) ? 400 : undefined);
    let problem: string | undefined;
    if (res.status >= 500) problem = 'a server error';
    else if (res.status < 400) problem = 'accepted';
    else if (exact !== undefined && res.status !== exact) problem = `status ${res.status}, expected ${exact}`;
    if (problem) {
      failures.push(`${c.name}: ${problem} ${JSON.stringify(res.body).slice(0, 200)}`);
      continue;
    }
    if (typeof error?.code !== 'string' || typeof (error as { message?: unknown }).message !== 'string') failures.push(`${c.name}: no {error: {code, message}}`);
    if (c.field !== undefined && c.status === undefined) {
      const details = error?.details;
      const field = c.field;
      if (!Array.isArray(details) || details.length === 0) failures.push(`${c.name}: no error.details`);
      else if (!details.some((d) => Array.isArray(d.path) && field.every((p, i) => d.path[i] === p))) {
        failures.push(`${c.name}: no detail at ${JSON.stringify(field)} in ${JSON.stringify(details).slice(0, 200)}`);
      }
    }
  }
  expect(failures).toEqual([]);
  expect([...statuses.keys()].every((s) => s >= 400 && s < 500)).toBe(true);

  // Nothing changed: not the feature state, the remembered answers, the cases or the audit trail; no spool file.
  expect(await snapshot()).toEqual(before);
  expect((await readdir(service.config.spoolDir)).filter((f) => f.endsWith('.jsonl'))).toEqual([]);
  // And no prototype was polluted by "__proto__" or "constructor" keys on the way.
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
  expect(safeParseEvent({ ...baseChange() }).ok).toBe(true);
});
