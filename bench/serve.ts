import autocannon from 'autocannon';
import { createClient } from 'redis';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig } from '../core/config';
import { createLogger } from '../core/logger';
import { PROJECT_ROOT, programArgs } from '../core/runtime';
import { generateDataset } from '../data/generator/generate';
import { readEvents } from '../data/io/read-records';
import type { WithdrawalEvent } from '../data/schemas';
import { loadList, withDenyListStore } from '../features/deny-lists/commands';
import { loadListDirectory, parseListFileName } from '../features/deny-lists/list-directory';
import { ingestFiles } from '../features/ingest/bulk-ingest';
import { createServingSecurity } from '../serving/auth/create-serving-security';
import { train } from '../training/train';
import { topSelfTime } from './support/cpu-profile';
import { KeepAliveConnections } from './support/keep-alive-connections';
import { pacedLoad } from './support/paced-load';
import { processCpuMs, spawnChild, startRedis, type ChildHandle } from './support/processes';

/**
 * Serving throughput and latency over real HTTP, against a Redis feature store. Prints one JSON line:
 * - requests/s of POST /v1/score/withdrawal on `vigil serve` (its own process: Redis features, a real API key, the
 *   trained gbdt champion, deny lists, cases, audit) and of a bare Express route answering a fixed JSON body on the
 *   same server code (bench/support/bare-server.ts), both driven by autocannon with as many connections; their ratio
 *   (target ≥ 0.8); and, as a bound on that ratio, of the same route parsing the body and making one Redis round trip;
 * - scoring latency p50/p99 at an even 1,000 requests/s (target p99 ≤ 5 ms) and at 100 requests/s, where requests
 *   seldom wait for each other, each measured after a warm-up at its rate on the same connections
 *   ({@link PACED_WARMUP_SECONDS}), from an open-loop paced sender (bench/support/paced-load.ts: autocannon's
 *   `overallRate` sends each second's quota in a burst, so it is run too, for comparison, but not taken as the
 *   figure); latencies are measured per response (autocannon's own histogram has whole milliseconds only);
 * - per response: the server's CPU ms (its processes, from /proc), the sender's (this process), and Redis commands and Redis
 *   CPU ms (from INFO).
 * Every request carries a distinct event id (a real withdrawal of the data set, re-stamped), so none is a replay.
 * Setup: a redis-server of its own on a free port, a small generated world (300 users, 20 days), a gbdt trained on
 * it, its deny lists loaded and its events ingested. Everything started is stopped at the end.
 * Run: `npx vigil bench serve [--seconds N] [--workers N] [--profile DIR]`; with --profile the scoring server runs under
 * `node --cpu-prof` and the JSON names its functions with the most self time.
 */

const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
/**
 * Processes of each server: `vigil serve --workers N`, and as many node:cluster workers for the bare route, so that
 * the two are compared on the same footing.
 */
const WORKERS = Number(option('--workers') ?? 1);
/** Seconds of each measured run. */
const SECONDS = Number(option('--seconds') ?? 10);
/** Absolute: the server runs in the benchmark's temporary directory, which is removed at the end. */
const PROFILE_DIR = option('--profile') === undefined ? undefined : resolve(option('--profile') as string);
const WARMUP_SECONDS = 3;
/**
 * Warm-up at an even rate before it is measured, on the connections the measured run then uses. After a run at full
 * speed the scoring server takes about ten seconds at 1,000 requests/s to settle (its own p99 per second fell from 8 ms
 * to under 3 ms over them, with or without 5 idle seconds between), and the first requests on new connections wait for
 * them to open: neither is the steady state a calling service meets.
 */
const PACED_WARMUP_SECONDS = 10;
const CONNECTIONS = 32;
const FIXED_RATE = 1000;
const LIGHT_RATE = 100;
const VIGIL = join(PROJECT_ROOT, 'bin', 'vigil.js');

const DAY_MS = 86_400_000;
/** prom-client's event-loop monitoring precision (its default), ms. */
const LOOP_PRECISION_MS = 10;
const round3 = (x: number) => Math.round(x * 1000) / 1000;

/** Nearest-rank percentile of sorted durations, ms. */
function percentile(sorted: Float64Array, q: number): number {
  return sorted.length === 0 ? Number.NaN : round3(sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] as number);
}

async function main(): Promise<void> {
  if (!(SECONDS >= 1)) throw new Error(`--seconds: expected a number >= 1, got ${option('--seconds')}`);
  if (!(Number.isInteger(WORKERS) && WORKERS >= 1)) throw new Error(`--workers: expected a whole number >= 1, got ${option('--workers')}`);
  const root = mkdtempSync(join(tmpdir(), 'vigil-bench-serve-'));
  const stops: (() => Promise<void>)[] = [];
  // Ctrl-C still stops the servers started so far.
  process.once('SIGINT', () => void stopAll(stops).finally(() => process.exit(130)));
  try {
    const redis = await startRedis();
    stops.push(() => redis.stop());
    const dataDir = join(root, 'data');
    const env = {
      REDIS_URL: redis.url,
      VIGIL_PII_KEY: randomBytes(32).toString('hex'),
      VIGIL_MODEL_DIR: join(root, 'models'),
      VIGIL_SPOOL_DIR: join(root, 'spool'),
      VIGIL_LABELS_DIR: join(root, 'labels'),
      // One key carries the whole load: its limit must not be what is measured.
      VIGIL_RATE_LIMIT_PER_SECOND: '1000000',
      // The bodies are re-stamped ahead of today, round after round (see bodySource): the clock-skew guard would
      // refuse all but the first rounds.
      VIGIL_MAX_CLOCK_SKEW_MS: String(Number.MAX_SAFE_INTEGER),
    };
    const config = loadConfig({ ...env, VIGIL_LOG_LEVEL: 'silent' });
    const log = createLogger('silent');

    progress('generating 300 users × 20 days, training a gbdt, ingesting into Redis');
    const dataset = generateDataset({ out: dataDir, users: 300, days: 20, seed: 1, fraudScale: 20 });
    const files = { events: join(dataDir, 'events.jsonl'), labels: join(dataDir, 'labels.jsonl') };
    await train({
      ...files,
      trainFrom: '2026-01-01',
      trainTo: '2026-01-14',
      testFrom: '2026-01-15',
      testTo: '2026-01-20',
      registryRoot: config.modelDir,
      promoteFirst: true,
      algo: 'gbdt',
      types: ['withdrawal'],
      denyLists: (await loadListDirectory(join(dataDir, 'lists'))).lists.lookupFn,
      // `vigil train`'s default operating points, so the mix of decisions (and of explanations) is production's.
      rates: { stepUp: 0.03, hold: 0.005, block: 0.002 },
    });
    await withDenyListStore(config, log, async (store) => {
      for (const file of readdirSync(join(dataDir, 'lists'))) {
        const parts = parseListFileName(file);
        if (parts) await loadList(store, { ...parts, file: join(dataDir, 'lists', file), log });
      }
    });
    const ingest = await ingestFiles({ ...files, config, log });
    const security = await createServingSecurity(config, log);
    const { key } = await security.keys.create({ name: 'bench', scopes: ['score'] }, 'bench');
    await security.close();
    const pool = await withdrawalPool(files.events);
    const redisStats = createClient({ url: redis.url });
    await redisStats.connect();
    stops.push(async () => redisStats.destroy());

    // One server at a time, so neither competes with the other for the machine's cores; the bare one first, so the
    // scoring server's profile covers its own start and load only.
    const bodies = bodySource(pool);
    const loadBefore = round3(loadavg()[0] as number);
    progress(`bare route: ${WARMUP_SECONDS} s warm-up, ${SECONDS} s at full speed, ${CONNECTIONS} connections`);
    const bare = await startBare();
    stops.push(() => bare.handle.stop());
    await load({ port: bare.port, key, bodies, seconds: WARMUP_SECONDS });
    const bareMax = await costed(bare.handle, () => load({ port: bare.port, key, bodies, seconds: SECONDS }));
    const bareFixed = await warmedPaced(bare.handle, { port: bare.port, key, bodies, rate: FIXED_RATE });
    await bare.handle.stop();
    progress(`one Redis round trip per request: ${WARMUP_SECONDS} s warm-up, ${SECONDS} s at full speed`);
    const floor = await startBare(redis.url);
    stops.push(() => floor.handle.stop());
    await load({ port: floor.port, key, bodies, seconds: WARMUP_SECONDS });
    const floorMax = await costed(floor.handle, () => load({ port: floor.port, key, bodies, seconds: SECONDS }), redisStats);
    await floor.handle.stop();

    progress(`vigil serve: ${WARMUP_SECONDS} s warm-up, ${SECONDS} s each at full speed, at ${FIXED_RATE} and ${LIGHT_RATE} requests/s (after ${PACED_WARMUP_SECONDS} s at each rate), and in autocannon's bursts`);
    const scoring = await startVigilServe(env, root);
    stops.push(() => scoring.handle.stop());
    await load({ port: scoring.port, key, bodies, seconds: WARMUP_SECONDS });
    const idle = await idleCpu(scoring.handle);
    const scoreMax = await costed(scoring.handle, () => load({ port: scoring.port, key, bodies, seconds: SECONDS }), redisStats);
    const fixed = await warmedPaced(scoring.handle, { port: scoring.port, key, bodies, rate: FIXED_RATE }, redisStats, true);
    const light = await warmedPaced(scoring.handle, { port: scoring.port, key, bodies, rate: LIGHT_RATE }, redisStats);
    const bursts = await costed(scoring.handle, () => load({ port: scoring.port, key, bodies, seconds: SECONDS, overallRate: FIXED_RATE }), redisStats);
    await scoring.handle.stop();
    // A figure over refused requests measures the refusal: stop rather than print it.
    const runs = { bareMax, bareFixed, floorMax, scoreMax, fixed, light, bursts };
    const failed = Object.entries(runs).filter(([, r]) => r.non2xx + r.errors > 0);
    if (failed.length) throw new Error(`requests answered with an error status or not at all: ${failed.map(([name, r]) => `${name}: ${r.non2xx} non-2xx, ${r.errors} errors`).join('; ')}`);
    const profile = PROFILE_DIR ? profileSummary(PROFILE_DIR) : undefined;
    const ratio = Math.round((scoreMax.requestsPerSecond / bareMax.requestsPerSecond) * 1000) / 1000;
    const result = {
      bench: 'serve',
      // Rates and tails depend on what else runs: the load average says how busy the machine was around the runs.
      machine: { cpus: cpus().length, loadAverage1m: { before: loadBefore, after: round3(loadavg()[0] as number) } },
      setup: { workers: WORKERS, events: dataset.events.total, ingestedEventsPerSecond: ingest.eventsPerSecond, poolWithdrawals: pool.length, connections: CONNECTIONS, seconds: SECONDS },
      throughput: {
        scoreRequestsPerSecond: scoreMax.requestsPerSecond,
        bareRequestsPerSecond: bareMax.requestsPerSecond,
        ratio,
        target: 0.8,
        met: ratio >= 0.8,
        score: scoreMax,
        bare: bareMax,
        // The least a scorer backed by a Redis feature store must do per request: parse the body and wait for one
        // Redis round trip. Its ratio to the bare route bounds what any such scorer can reach on this machine.
        oneRoundTrip: { ...floorMax, ratio: Math.round((floorMax.requestsPerSecond / bareMax.requestsPerSecond) * 1000) / 1000 },
      },
      // Evenly spaced requests (bench/support/paced-load.ts), latency from when each was due.
      // The bare route at the same even rate: the floor this machine's HTTP round trips set under the same sender.
      // `server`: how long the scoring server's event loop was blocked, and its garbage collection, over the run.
      fixedRate: { target: { requestsPerSecond: FIXED_RATE, p99Ms: 5 }, met: fixed.latencyMs.p99 <= 5, ...fixed, bare: bareFixed },
      // Far below capacity, requests seldom queue behind each other: about the time one scoring takes.
      lightRate: { requestsPerSecondAsked: LIGHT_RATE, ...light },
      // autocannon's overallRate for comparison: each connection's quota for the second goes out back to back at its
      // start, so these are latencies of bursts at full speed, not of an even 1,000 requests/s.
      autocannonOverallRate: { requestsPerSecondAsked: FIXED_RATE, ...bursts },
      // What the server spends with no request at all (timers, polls, background threads).
      idleServerCpuMsPerSecond: idle,
      ...(profile ? { profile } : {}),
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await stopAll(stops);
    rmSync(root, { recursive: true, force: true });
  }
}

async function stopAll(stops: (() => Promise<void>)[]): Promise<void> {
  for (const stop of stops.splice(0).reverse()) await stop().catch((err: unknown) => progress(`stopping failed: ${String(err)}`));
}

function progress(message: string): void {
  process.stderr.write(`bench serve: ${message}\n`);
}

/** The data set's withdrawals, as request bodies to re-stamp. */
async function withdrawalPool(eventsFile: string): Promise<WithdrawalEvent[]> {
  const pool: WithdrawalEvent[] = [];
  for await (const batch of readEvents(eventsFile).batches()) for (const e of batch) if (e.type === 'withdrawal') pool.push(e);
  return pool;
}

/**
 * Request bodies: the pool's withdrawals in time order, each with a new event id, replayed again and again, each
 * round shifted later by the pool's time span. Every request is a new event scored against its user's history, and
 * each user's cadence stays that of the data set (a user does not withdraw a hundred times a minute, which would
 * make velocity features, decisions and state sizes unlike real traffic).
 */
function bodySource(pool: readonly WithdrawalEvent[]): () => string {
  const run = randomUUID().slice(0, 8);
  const times = pool.map((e) => Date.parse(e.ts));
  const first = Math.min(...times);
  const span = Math.ceil((Math.max(...times) - first) / DAY_MS + 1) * DAY_MS;
  let n = 0;
  return () => {
    const round = Math.floor(n / pool.length) + 1;
    const i = n % pool.length;
    n++;
    const event = pool[i] as WithdrawalEvent;
    return JSON.stringify({ ...event, eventId: `bench-${run}-${n}`, ts: new Date((times[i] as number) + round * span).toISOString() });
  };
}

/**
 * What a run cost per response: CPU ms of the server and of the sender, and Redis commands and CPU ms when it used
 * Redis.
 */
interface Cost {
  serverCpuMsPerResponse: number;
  /** CPU ms of this process, the load's sender, which shares the machine's cores with the server and Redis. */
  senderCpuMsPerResponse: number;
  redis?: { commandsPerResponse: number; cpuMsPerResponse: number };
}

/**
 * Runs `run` and adds what each response cost: the server's CPU time from /proc, this process's own, and Redis's
 * commands and CPU time from INFO. Figures per response hold on a busy machine, where rates depend on the neighbours.
 */
async function costed(server: ChildHandle, run: () => Promise<LoadResult>, redis?: { info(section: string): Promise<string> }): Promise<LoadResult & Cost> {
  const pid = server.child.pid as number;
  const cpuBefore = processCpuMs(pid);
  const senderBefore = process.cpuUsage();
  const redisBefore = redis ? await redisUsage(redis) : undefined;
  const result = await run();
  const per = (x: number) => Math.round((x / Math.max(1, result.responses)) * 1000) / 1000;
  const sender = process.cpuUsage(senderBefore);
  const cost: Cost = { serverCpuMsPerResponse: per(processCpuMs(pid) - cpuBefore), senderCpuMsPerResponse: per((sender.user + sender.system) / 1000) };
  if (redis && redisBefore) {
    const after = await redisUsage(redis);
    cost.redis = { commandsPerResponse: per(after.commands - redisBefore.commands), cpuMsPerResponse: per(after.cpuMs - redisBefore.cpuMs) };
  }
  return { ...result, ...cost };
}

/** CPU ms per second the server uses while no request comes, over a few seconds. */
async function idleCpu(server: ChildHandle): Promise<number> {
  const pid = server.child.pid as number;
  const seconds = 3;
  const before = processCpuMs(pid);
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  return round3((processCpuMs(pid) - before) / seconds);
}

/**
 * The server's event-loop blocking (p99 and max, ms, since the previous scrape: prom-client restarts its window on
 * each collection) and its garbage collections since start (count and ms), from its Prometheus /metrics. prom-client
 * times a 10 ms timer (its default precision) and reports how long each took to fire, so 10 ms is taken off.
 */
interface LoopStats {
  eventLoopBlockedP99Ms: number;
  eventLoopBlockedMaxMs: number;
  gcCount: number;
  gcMs: number;
}

async function loopStats(port: number): Promise<LoopStats> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const value = (name: string) => Number(new RegExp(`^${name} ([\\d.e+-]+)`, 'm').exec(text)?.[1] ?? Number.NaN);
  const total = (name: string) => [...text.matchAll(new RegExp(`^${name}\\{[^}]*\\} ([\\d.e+-]+)`, 'gm'))].reduce((n, m) => n + Number(m[1]), 0);
  return {
    eventLoopBlockedP99Ms: round3(Math.max(0, value('nodejs_eventloop_lag_p99_seconds') * 1000 - LOOP_PRECISION_MS)),
    eventLoopBlockedMaxMs: round3(Math.max(0, value('nodejs_eventloop_lag_max_seconds') * 1000 - LOOP_PRECISION_MS)),
    gcCount: total('nodejs_gc_duration_seconds_count'),
    gcMs: round3(total('nodejs_gc_duration_seconds_sum') * 1000),
  };
}

/** Commands Redis has run and CPU ms it has used so far. */
async function redisUsage(redis: { info(section: string): Promise<string> }): Promise<{ commands: number; cpuMs: number }> {
  const [commandStats, cpu] = await Promise.all([redis.info('commandstats'), redis.info('cpu')]);
  const commands = [...commandStats.matchAll(/calls=(\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
  const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(cpu)?.[1] ?? Number.NaN);
  return { commands, cpuMs: (field('used_cpu_user') + field('used_cpu_sys')) * 1000 };
}

interface LoadResult {
  requestsPerSecond: number;
  responses: number;
  non2xx: number;
  errors: number;
  /** Answers without a model score (the fail mode, e.g. the feature store missed its deadline). */
  failModeAnswers: number;
  latencyMs: { p50: number; p99: number; max: number };
}

/** Runs autocannon against POST /v1/score/withdrawal with fresh bodies; latencies are taken per response, in ms. */
async function load(o: { port: number; key: string; bodies: () => string; seconds: number; overallRate?: number }): Promise<LoadResult> {
  const latencies: number[] = [];
  let failModeAnswers = 0;
  const options: autocannon.Options = {
    url: `http://127.0.0.1:${o.port}`,
    connections: CONNECTIONS,
    duration: o.seconds,
    ...(o.overallRate ? { overallRate: o.overallRate } : {}),
    requests: [
      {
        method: 'POST',
        path: '/v1/score/withdrawal',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${o.key}` },
        setupRequest: (request) => ({ ...request, body: o.bodies() }),
        onResponse: (_status, body) => {
          if (body.includes('"score":null')) failModeAnswers++;
        },
      },
    ],
  };
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(options, (err: unknown, res: autocannon.Result) => (err ? reject(err) : resolve(res)));
    instance.on('response', (_client, _status, _bytes, responseTime) => latencies.push(responseTime));
  });
  const sorted = Float64Array.from(latencies).sort();
  return {
    requestsPerSecond: Math.round(result.requests.total / result.duration),
    responses: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    failModeAnswers,
    latencyMs: { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), max: percentile(sorted, 1) },
  };
}

/** Runs `run` with up to {@link CONNECTIONS} keep-alive connections to the server on `port`, closed afterwards. */
async function withConnections<T>(port: number, run: (connections: KeepAliveConnections) => Promise<T>): Promise<T> {
  const connections = new KeepAliveConnections(port, CONNECTIONS);
  try {
    return await run(connections);
  } finally {
    connections.close();
  }
}

/**
 * {@link PACED_WARMUP_SECONDS} at `rate`, then {@link SECONDS} measured and costed, on the same connections; with
 * `loop`, also the server's event-loop blocking and garbage collection over the measured seconds (`server`).
 */
function warmedPaced(
  server: ChildHandle,
  o: { port: number; key: string; bodies: () => string; rate: number },
  redis?: { info(section: string): Promise<string> },
  loop = false,
): Promise<LoadResult & Cost & { server?: LoopStats }> {
  return withConnections(o.port, async (connections) => {
    await paced({ ...o, connections, seconds: PACED_WARMUP_SECONDS });
    const before = loop ? await loopStats(o.port) : undefined; // also starts the event-loop delay window of the run
    const run = await costed(server, () => paced({ ...o, connections, seconds: SECONDS }), redis);
    if (!before) return run;
    const after = await loopStats(o.port);
    return { ...run, server: { ...after, gcCount: after.gcCount - before.gcCount, gcMs: round3(after.gcMs - before.gcMs) } };
  });
}

/** An even, open-loop rate of POST /v1/score/withdrawal with fresh bodies, on the connections given. */
async function paced(o: { key: string; bodies: () => string; connections: KeepAliveConnections; seconds: number; rate: number }): Promise<LoadResult> {
  const r = await pacedLoad({
    path: '/v1/score/withdrawal',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${o.key}` },
    body: o.bodies,
    ratePerSecond: o.rate,
    seconds: o.seconds,
    connections: o.connections,
  });
  const sorted = Float64Array.from(r.latencies).sort();
  return {
    requestsPerSecond: r.requestsPerSecond,
    responses: r.responses,
    non2xx: r.non2xx,
    errors: r.errors,
    failModeAnswers: r.failModeAnswers,
    latencyMs: { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), max: percentile(sorted, 1) },
  };
}

/** `vigil serve --port 0` in its own process (under --cpu-prof with --profile); its port comes from its log. */
async function startVigilServe(vars: Record<string, string>, cwd: string): Promise<{ handle: ChildHandle; port: number }> {
  const nodeArgs = PROFILE_DIR ? ['--cpu-prof', '--cpu-prof-dir', PROFILE_DIR] : [];
  // The child gets this environment minus any Vigil settings of the developer's, plus the benchmark's own.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VIGIL_') && k !== 'REDIS_URL'));
  const handle = spawnChild(process.execPath, [...nodeArgs, VIGIL, 'serve', '--port', '0', '--workers', String(WORKERS)], {
    env: { ...inherited, ...vars, VIGIL_LOG_LEVEL: 'info' },
    cwd,
  });
  // With workers, the load starts once every one listens: connections opened before would all go to the first.
  let listening = 0;
  const port = await firstLine(handle, 'stderr', (line) => {
    const entry = JSON.parse(line) as { msg?: string; port?: number };
    if (entry.msg !== (WORKERS > 1 ? 'worker listening' : 'listening')) return undefined;
    return ++listening === WORKERS ? entry.port : undefined;
  });
  return { handle, port };
}

/** The bare route; with `redisUrl`, the route that makes one Redis round trip per request (bench/support/bare-server.ts). */
async function startBare(redisUrl?: string): Promise<{ handle: ChildHandle; port: number }> {
  const handle = spawnChild(process.execPath, [...programArgs('bench/support/bare-server'), String(WORKERS), ...(redisUrl ? [redisUrl] : [])]);
  const port = await firstLine(handle, 'stdout', (line) => (JSON.parse(line) as { port?: number }).port);
  return { handle, port };
}

/**
 * Reads a child's output line by line until `pick` finds a value; fails with the output if the process exits
 * first. Its output keeps being read afterwards, so a full pipe never blocks it.
 */
function firstLine<T>(handle: ChildHandle, stream: 'stdout' | 'stderr', pick: (line: string) => T | undefined): Promise<T> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    let seen = '';
    let found = false;
    for (const name of ['stdout', 'stderr'] as const) {
      handle.child[name]?.setEncoding('utf8').on('data', (text: string) => {
        if (found) return;
        seen = (seen + text).slice(-4000);
        if (name !== stream) return;
        buffered += text;
        let nl: number;
        while (!found && (nl = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, nl);
          buffered = buffered.slice(nl + 1);
          try {
            const value = pick(line);
            if (value !== undefined) {
              found = true;
              resolve(value);
            }
          } catch {
            // not a JSON line: keep reading
          }
        }
      });
    }
    void handle.exited.then((code) => {
      if (!found) reject(new Error(`server process exited (${code}) before it was listening:\n${seen}`));
    });
  });
}

/** The scoring server's functions with the most self time, from the profile its exit wrote. */
function profileSummary(dir: string): { file: string; top: ReturnType<typeof topSelfTime> } | undefined {
  const file = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).sort().pop();
  return file ? { file: join(dir, file), top: topSelfTime(join(dir, file), 20) } : undefined;
}

main().catch((err: unknown) => {
  process.stderr.write(`bench serve: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
