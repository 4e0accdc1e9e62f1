import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent, request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnServe as spawnServeProcess, type ServeProcess } from './fixtures/serve-process';
import { buildTrainedRegistry, removeTrainedRegistry, type TrainedRegistry } from './fixtures/trained-registry';

let registry: TrainedRegistry;
let dir: string;

beforeAll(async () => {
  registry = await buildTrainedRegistry();
  dir = await mkdtemp(join(tmpdir(), 'vigil-serve-'));
}, 120_000);

afterAll(async () => {
  await removeTrainedRegistry(registry);
  if (dir) await rm(dir, { recursive: true, force: true });
});

function spawnServe(env: Record<string, string>): ServeProcess {
  return spawnServeProcess([], { VIGIL_MODEL_DIR: registry.modelDir, VIGIL_SPOOL_DIR: join(dir, 'spool'), VIGIL_LIST_DIR: join(dir, 'lists'), ...env });
}

/** Waits for the embedded admin key and the listening port on the child's stderr. */
async function started(serve: ServeProcess): Promise<{ key: string; port: number }> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const key = /admin API key[^:]*: (vgl_\S+)/.exec(serve.stderr())?.[1];
    const port = /"port":(\d+)[^\n]*"msg":"listening"/.exec(serve.stderr())?.[1];
    if (key && port) return { key, port: Number(port) };
    if (serve.child.exitCode !== null || Date.now() > deadline) throw new Error(`vigil serve did not start:\n${serve.stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function send(port: number, path: string, key: string, body: string | undefined, agent?: Agent): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ port, path, method: body === undefined ? 'GET' : 'POST', agent, headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' } }, (res) => {
      collect(res).then((text) => resolve({ status: res.statusCode ?? 0, body: text }), reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function collect(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (d: string) => (text += d));
    res.on('end', () => resolve(text));
    res.on('error', reject);
  });
}

/** A request whose body is half sent: in flight on the server until `finish()` sends the rest. */
function halfSent(port: number, key: string, type: 'login' | 'withdrawal', event: object) {
  const body = JSON.stringify(event);
  const half = Math.floor(body.length / 2);
  let req!: ClientRequest;
  const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req = httpRequest(
      { port, path: `/v1/score/${type}`, method: 'POST', headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) } },
      (res) => collect(res).then((text) => resolve({ status: res.statusCode ?? 0, body: text }), reject),
    );
    req.on('error', reject);
    req.write(body.slice(0, half));
  });
  return { answer, finish: () => req.end(body.slice(half)) };
}

const event = (i: number) => ({ eventId: `s-${i}`, userId: `u-serve-${i % 4}`, ts: new Date(Date.UTC(2026, 3, 1, 9, i)).toISOString(), ip: '192.0.2.44', deviceId: 'dev-s', success: true });

it('answers every request in flight on SIGTERM, refuses new connections, then exits 0', async () => {
  const serve = spawnServe({ VIGIL_LOG_LEVEL: 'info' });
  try {
    const { key, port } = await started(serve);
    // Shown once, and only on stderr: stdout is for the result line.
    expect(serve.stderr().match(/vgl_\S+/g)).toHaveLength(1);
    expect(serve.stdout()).not.toContain(key);
    expect((await send(port, '/readyz', key, undefined)).status).toBe(200);

    // An idle keep-alive connection must not hold the shutdown open.
    const keepAlive = new Agent({ keepAlive: true });
    expect((await send(port, '/v1/score/login', key, JSON.stringify(event(0)), keepAlive)).status).toBe(200);

    const inFlight = Array.from({ length: 8 }, (_, i) => halfSent(port, key, 'login', event(i + 1)));
    // Let the server accept them and start reading their bodies.
    await new Promise((r) => setTimeout(r, 300));
    serve.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    await expect(send(port, '/healthz', key, undefined)).rejects.toThrow(/ECONNREFUSED|ECONNRESET/);
    expect(serve.child.exitCode).toBeNull();

    for (const r of inFlight) r.finish();
    const answers = await Promise.all(inFlight.map((r) => r.answer));
    for (const [i, a] of answers.entries()) {
      expect(a.status).toBe(200);
      expect(JSON.parse(a.body)).toMatchObject({ eventId: `s-${i + 1}`, model: { version: registry.champions.login } });
    }
    expect(await serve.exited).toBe(0);
    keepAlive.destroy();
    expect(JSON.parse(serve.stdout().trim().split('\n').pop() as string)).toMatchObject({ stopped: 'SIGTERM' });
  } finally {
    if (serve.child.exitCode === null) serve.child.kill('SIGKILL');
  }
});

it('refuses to start with a bad policy file, listing every issue', async () => {
  const policy = join(dir, 'policy.json');
  await writeFile(
    policy,
    JSON.stringify({
      failModes: { login: 'hold', withdrawal: 'hold' },
      rules: [
        { name: 'Bad Name', description: 'x', when: { denyListed: true }, then: 'block' },
        { name: 'unknown_feature', description: 'x', when: { feature: 'no_such_feature', op: 'gt', value: 1 }, then: 'maybe' },
      ],
    }),
  );
  const serve = spawnServe({ VIGIL_POLICY_FILE: policy, VIGIL_LOG_LEVEL: 'warn' });
  expect(await serve.exited).toBe(1);
  const stderr = serve.stderr();
  expect(stderr).toContain(`${policy}.failModes.login`);
  expect(stderr).toContain(`${policy}.rules.0.name`);
  expect(stderr).toContain(`${policy}.rules.1.when.feature: not a feature`);
  expect(stderr).toContain(`${policy}.rules.1.then`);
  expect(stderr).not.toContain('listening');
});

it('refuses to start when the registry names a version it cannot serve, naming each', async () => {
  const modelDir = join(dir, 'broken-registry');
  await mkdir(modelDir, { recursive: true });
  await writeFile(join(modelDir, 'champions.json'), JSON.stringify({ login: 'no-such-login-model' }));
  await writeFile(join(modelDir, 'challengers.json'), JSON.stringify({ withdrawal: 'no-such-withdrawal-model' }));
  const serve = spawnServe({ VIGIL_MODEL_DIR: modelDir, VIGIL_LOG_LEVEL: 'warn' });
  expect(await serve.exited).toBe(1);
  const stderr = serve.stderr();
  expect(stderr).toMatch(/VIGIL_MODEL_DIR: no model at \S*no-such-login-model \(manifest.json missing\)/);
  expect(stderr).toMatch(/VIGIL_MODEL_DIR: no model at \S*no-such-withdrawal-model \(manifest.json missing\)/);
  expect(stderr).not.toContain('AggregateError');
  expect(stderr).not.toContain('listening');
});
