import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest, type ClientRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../core/config';
import { createLogger } from '../../core/logger';
import { SCOPES } from '../../serving/auth/authenticator';
import { createServingSecurity } from '../../serving/auth/create-serving-security';
import { connectTestRedis, deleteKeysWithPrefix, testRedisUrl, uniqueKeyPrefix, type TestRedisClient } from '../harness/redis';
import { spawnServe as spawnServeProcess, type ServeProcess } from './fixtures/serve-process';
import { buildTrainedRegistry, removeTrainedRegistry, type TrainedRegistry } from './fixtures/trained-registry';
import { TEST_PII_KEY } from './fixtures/test-service';

let registry: TrainedRegistry;
let redis: TestRedisClient;
let dir: string;
let prefix: string;

beforeAll(async () => {
  registry = await buildTrainedRegistry({ challengers: true });
  redis = await connectTestRedis(testRedisUrl());
  dir = await mkdtemp(join(tmpdir(), 'vigil-workers-'));
  prefix = uniqueKeyPrefix();
}, 180_000);

afterAll(async () => {
  await deleteKeysWithPrefix(redis, prefix);
  redis.destroy();
  await removeTrainedRegistry(registry);
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Every `vigil serve` a test started: its primary and workers are killed after the test, whatever happened (a test that times out never reaches its end). */
const started: ServeProcess[] = [];
afterEach(() => {
  for (const serve of started.splice(0)) {
    for (const pid of [serve.child.pid as number, ...listening(serve).map((w) => w.pid)]) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
});

/** In a process group of its own, as in a terminal: Ctrl-C there signals the primary and its workers at once. */
function spawnServe(args: string[], env: Record<string, string>): ServeProcess {
  const serve = spawnServeProcess(args, { VIGIL_MODEL_DIR: registry.modelDir, VIGIL_SPOOL_DIR: join(dir, 'spool'), VIGIL_LOG_LEVEL: 'info', ...env }, { detached: true });
  started.push(serve);
  return serve;
}

/** The primary's "worker listening" lines so far: worker pid and port. */
function listening(serve: ServeProcess): { pid: number; port: number }[] {
  return serve
    .stderr()
    .split('\n')
    .filter((l) => l.includes('"msg":"worker listening"'))
    .map((l) => JSON.parse(l) as { pid: number; port: number });
}

/** How many model changes workers have followed so far. */
const followed = (serve: ServeProcess) => serve.stderr().split('followed a model change').length - 1;

async function until<T>(serve: ServeProcess, what: string, check: () => T | undefined): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (serve.child.exitCode !== null || Date.now() > deadline) throw new Error(`${what}:\n${serve.stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** One request on a connection of its own: node:cluster hands each new connection to one of the workers. */
function send(port: number, method: string, path: string, key: string, body?: object): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ port, path, method, agent: false, headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : { text } }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** A scoring request whose body is half sent: in flight on a worker until `finish()` sends the rest. */
function halfSent(port: number, key: string, event: object): { answer: Promise<{ status: number }>; finish: () => void } {
  const body = JSON.stringify(event);
  let req!: ClientRequest;
  const answer = new Promise<{ status: number }>((resolve, reject) => {
    req = httpRequest(
      { port, path: '/v1/score/login', method: 'POST', agent: false, headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
      },
    );
    req.on('error', reject);
    req.write(body.slice(0, body.length >> 1));
  });
  return { answer, finish: () => req.end(body.slice(body.length >> 1)) };
}

const login = (i: number) => ({
  type: 'login',
  eventId: `w-${i}`,
  userId: `u-workers-${i % 5}`,
  ts: new Date(Date.UTC(2026, 3, 1, 9, i)).toISOString(),
  ip: '192.0.2.45',
  deviceId: 'dev-w',
  success: true,
});

it('shares one port among workers that follow each other’s model changes, aggregate metrics, replace a dead worker and drain on Ctrl-C', async () => {
  // A deadline the busy test machine always meets: a fail-mode answer (no model) is not what this test is about.
  // An hour between registry reads: the workers follow each other's model changes through Redis's announcements.
  const env = { REDIS_URL: testRedisUrl(), VIGIL_PII_KEY: TEST_PII_KEY, VIGIL_REDIS_KEY_PREFIX: prefix, VIGIL_SCORE_DEADLINE_MS: '2000', VIGIL_MODEL_SYNC_MS: '3600000' };
  const security = await createServingSecurity(loadConfig(env), createLogger('silent'));
  const { key } = await security.keys.create({ name: 'workers test', scopes: [...SCOPES] }, 'test');
  await security.close();

  const serve = spawnServe(['--workers', '2'], env);
  const workers = await until(serve, 'two workers did not listen', () => (listening(serve).length >= 2 ? listening(serve) : undefined));
  const port = (workers[0] as { port: number }).port;
  expect(new Set(workers.map((w) => w.port))).toEqual(new Set([port]));
  expect(new Set(workers.map((w) => w.pid)).size).toBe(2);

  // Twenty requests on twenty connections are spread over both workers; /metrics, answered by either, counts all.
  const before = await Promise.all(Array.from({ length: 20 }, (_, i) => send(port, 'POST', '/v1/score/login', key, login(i))));
  for (const r of before) expect(r.json.model).toEqual(expect.objectContaining({ version: registry.champions.login }));
  const metrics = String((await send(port, 'GET', '/metrics', key)).json.text);
  const decisions = [...metrics.matchAll(/^vigil_decisions_total\{type="login",decision="\w+"\} (\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
  expect(decisions).toBe(20);
  expect(metrics).toMatch(new RegExp(`^vigil_model_info\\{type="login",version="${registry.champions.login}"\\} 1$`, 'm'));

  // A promotion made through one worker is followed by the other: every later answer comes from the new champion.
  const promoted = registry.challengers.login as string;
  expect((await send(port, 'POST', `/v1/models/${promoted}/promote`, key)).status).toBe(200);
  await until(serve, 'the other worker did not follow the promotion', () => (followed(serve) >= 1 ? true : undefined));
  const after = await Promise.all(Array.from({ length: 20 }, (_, i) => send(port, 'POST', '/v1/score/login', key, login(100 + i))));
  for (const r of after) expect(r.json.model).toEqual(expect.objectContaining({ version: promoted }));

  // So is shadowing, and a worker started later (after one died) reads it from the registry.
  const shadowed = registry.challengers.withdrawal as string;
  expect((await send(port, 'POST', `/v1/models/${shadowed}/shadow`, key, { enabled: true })).status).toBe(200);
  await until(serve, 'the other worker did not follow the shadowing', () => (followed(serve) >= 2 ? true : undefined));
  process.kill((workers[0] as { pid: number }).pid, 'SIGKILL');
  const replaced = await until(serve, 'the dead worker was not replaced', () => listening(serve)[2]);
  expect(replaced.port).toBe(port);
  await until(serve, 'the new worker did not start with the shadowing', () => (serve.stderr().includes(`"version":"${shadowed}","msg":"challenger in shadow"`) ? true : undefined));
  const views = await Promise.all(Array.from({ length: 10 }, () => send(port, 'GET', '/v1/models', key)));
  for (const v of views) {
    expect(v.json.champions).toEqual(expect.objectContaining({ login: promoted }));
    expect(v.json.challengers).toEqual({ withdrawal: shadowed });
  }

  // Ctrl-C: every worker gets SIGINT from the terminal and again from the primary, and still answers what is in flight.
  const inFlight = Array.from({ length: 6 }, (_, i) => halfSent(port, key, login(200 + i)));
  // The primary hands connections to the workers in the order it accepted them: once later connections are answered
  // by both workers, the half-sent ones have reached theirs (on a loaded machine 300 ms alone was sometimes too short).
  await Promise.all(Array.from({ length: 4 }, () => send(port, 'GET', '/healthz', key)));
  await new Promise((r) => setTimeout(r, 300));
  process.kill(-(serve.child.pid as number), 'SIGINT');
  await new Promise((r) => setTimeout(r, 300));
  for (const r of inFlight) r.finish();
  for (const a of await Promise.all(inFlight.map((r) => r.answer))) expect(a.status).toBe(200);
  expect(await serve.exited).toBe(0);
  expect(JSON.parse(serve.stdout().trim().split('\n').pop() as string)).toEqual({ stopped: 'SIGINT', workers: 2 });
  // Only the primary prints a result line.
  expect(serve.stdout().trim().split('\n')).toHaveLength(1);
}, 120_000);

it('refuses more than one worker without Redis, naming the option', async () => {
  const serve = spawnServe(['--workers', '2'], {});
  expect(await serve.exited).toBe(1);
  expect(serve.stderr()).toMatch(/--workers: 2 workers need REDIS_URL/);
  expect(serve.stderr()).not.toContain('listening');
});

it('stops with the error when its workers cannot start, rather than forking them again and again', async () => {
  const policy = join(dir, 'bad-policy.json');
  await writeFile(policy, JSON.stringify({ failModes: { login: 'hold', withdrawal: 'hold' } }));
  const serve = spawnServe(['--workers', '2'], { REDIS_URL: testRedisUrl(), VIGIL_PII_KEY: TEST_PII_KEY, VIGIL_REDIS_KEY_PREFIX: prefix, VIGIL_POLICY_FILE: policy });
  expect(await serve.exited).toBe(1);
  expect(serve.stderr()).toContain(`${policy}.failModes.login`);
  expect(serve.stderr()).toMatch(/worker \d+ exited before it listened/);
  expect(serve.stderr()).not.toContain('worker died; starting another');
});
