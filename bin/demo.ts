import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { InvalidArgumentError, type Command } from 'commander';
import { action, intOption, type CommandContext } from '../core/cli';
import type { Config } from '../core/config';
import { ValidationError } from '../core/errors';
import type { Logger } from '../core/logger';
import { GENERATE_DEFAULTS, generateDataset, type GenerateSummary } from '../data/generator/generate';
import type { ScoredEventType } from '../features/definitions';
import { loadList, withDenyListStore } from '../features/deny-lists/commands';
import { loadListDirectory, parseListFileName } from '../features/deny-lists/list-directory';
import type { PipelineItem } from '../features/pipeline';
import { readTimeline } from '../features/timeline';
import { DAY } from '../features/transforms/time';
import { createApp } from '../serving/app';
import { createServingDeps } from '../serving/create-serving-deps';
import type { Decision } from '../serving/decision';
import { startServer } from '../serving/server';
import type { ScoreResponse } from '../serving/stores/serving-stores';
import { train, type TrainedVersion } from '../training/train';
import { readTruth } from '../training/training-set';

/** The last days of the generated window are the test period: trained on before, replayed as live traffic. */
const TEST_DAYS = 14;
/** Fewest training days the demo accepts: the last fifth of them validate, and early days carry few labels. */
const MIN_TRAIN_DAYS = 7;
/** The world of the generator's defaults: smaller worlds get their fraud scaled up to about as many stories. */
const DEFAULT_WORLD_USER_DAYS = GENERATE_DEFAULTS.users * GENERATE_DEFAULTS.days;
/** Cap of the automatic fraud scale: beyond it fraud would be a large share of a small world's withdrawals. */
const MAX_AUTO_FRAUD_SCALE = 20;
/** `vigil train`'s default operating points (shares of validation events stepped up, held, blocked). */
const TRAIN_RATES = { stepUp: 0.03, hold: 0.005, block: 0.002 };
/** Most items one `/v1/events` or `/v1/labels` request carries (the ingest route's own limit). */
const MAX_BATCH_ITEMS = 1000;
/**
 * Test-period items are sent in windows of this many; lanes run concurrently within a window and wait for each other
 * at its end, so shared entities (IPs, destination addresses) see events at most one window out of time order.
 */
const WINDOW_ITEMS = 256;
/**
 * The demo's one key carries the traffic of every login and withdrawal service at once: its rate limit is lifted so
 * the replay measures the service, not the per-key limit.
 */
const DEMO_RATE_LIMIT_PER_SECOND = 1_000_000;
/** More lanes than this only queue up inside the one process that is both client and server. */
const MAX_LANES = 64;
/** Attempts per request when the service answers 429/503 or the connection breaks. */
const MAX_ATTEMPTS = 5;
/** How many failed requests the summary quotes. */
const QUOTED_ERRORS = 5;

export interface DemoOptions {
  /** Working directory (created; must be empty or absent). Absent: a new temporary directory. */
  out?: string;
  users: number;
  days: number;
  seed: number;
  /** Fraud scenario rate multiplier. Absent: scaled so a small world has about as many stories as the default one. */
  fraudScale?: number;
  /** Concurrent request lanes in the test period; each user's events stay in one lane, in order. */
  lanes: number;
}

/**
 * `vigil demo`: generate a world, train on all but its last 14 days, serve the models over real HTTP on a loopback
 * port, replay the history through the ingest API and the last 14 days as live traffic, and summarise what the
 * service decided against the generator's truth.
 */
export function registerDemoCommand(program: Command): void {
  const d = GENERATE_DEFAULTS;
  program
    .command('demo')
    .description(`Generate data, train, serve over HTTP and replay the last ${TEST_DAYS} days as live traffic; prints decisions, fraud caught and latency`)
    .option('--out <dir>', 'working directory, new or empty (default: a new temporary directory)')
    .option('--users <n>', 'number of users', intOption('users', 1), d.users)
    .option('--days <n>', `days generated; the last ${TEST_DAYS} are the test period`, intOption('days', TEST_DAYS + MIN_TRAIN_DAYS), d.days)
    .option('--seed <n>', 'random seed', intOption('seed', 0), d.seed)
    .option('--fraud-scale <x>', `fraud scenario rate multiplier (default: 1 for the default world, up to ${MAX_AUTO_FRAUD_SCALE} for smaller ones)`, scaleOption)
    .option('--lanes <n>', `concurrent request lanes, 1 to ${MAX_LANES} (each user stays in one lane)`, lanesOption, 4)
    .action(action((ctx, opts: DemoOptions) => runDemo(ctx, opts)));
}

function lanesOption(value: string): number {
  const lanes = intOption('lanes', 1)(value);
  if (lanes > MAX_LANES) throw new InvalidArgumentError(`expected at most ${MAX_LANES}, got "${value}"`);
  return lanes;
}

function scaleOption(value: string): number {
  const x = Number(value);
  if (value.trim() === '' || !Number.isFinite(x) || x < 0 || x > 1000) throw new InvalidArgumentError(`expected a number from 0 to 1000, got "${value}"`);
  return x;
}

/** Fraud rate multiplier for a world of `users` × `days`: 1 at the default size, more for smaller worlds (capped). */
export function autoFraudScale(users: number, days: number): number {
  const scale = Math.min(MAX_AUTO_FRAUD_SCALE, Math.max(1, DEFAULT_WORLD_USER_DAYS / (users * days)));
  return Math.round(scale * 100) / 100;
}

export async function runDemo({ config, log }: CommandContext, o: DemoOptions): Promise<DemoSummary> {
  const began = performance.now();
  const dir = await workingDirectory(o.out);
  const fraudScale = o.fraudScale ?? autoFraudScale(o.users, o.days);
  const backend = config.redisUrls ? 'redis' : 'memory';
  process.stderr.write(`vigil demo: working directory ${dir}\n`);
  // A run of its own in a shared Redis: the same seed's event ids would otherwise be duplicates of an earlier run's.
  const redisKeyPrefix = config.redisUrls ? `${config.redisKeyPrefix}demo-${randomUUID().slice(0, 8)}:` : config.redisKeyPrefix;
  process.stderr.write(
    backend === 'redis'
      ? `vigil demo: REDIS_URL is set: features, keys, lists and cases go to that Redis under ${redisKeyPrefix} (left there afterwards)\n`
      : 'vigil demo: embedded memory backends (REDIS_URL unset): state lives in this process only\n',
  );

  const phase = phaseTimer();
  log.info({ users: o.users, days: o.days, seed: o.seed, fraudScale }, 'generating the data set');
  const dataset = generateDataset({
    out: dir,
    users: o.users,
    days: o.days,
    seed: o.seed,
    fraudScale,
    onProgress: ({ day, days, events }) => {
      if (day % 10 === 0 || day === days) log.info({ day, days, events }, 'generated');
    },
  });
  phase('generate');

  const files = { events: join(dir, 'events.jsonl'), labels: join(dir, 'labels.jsonl'), truth: join(dir, 'truth.jsonl'), lists: join(dir, 'lists') };
  const periods = demoPeriods(dataset.start, o.days);
  const modelDir = join(dir, 'models');
  log.info({ ...periods, algo: 'auto' }, 'training a model per event type (gbdt and mlp; the better on validation is kept)');
  const trained = await train({
    events: files.events,
    labels: files.labels,
    ...periods,
    registryRoot: modelDir,
    promoteFirst: true,
    algo: 'auto',
    types: ['login', 'withdrawal'],
    truth: files.truth,
    denyLists: (await loadListDirectory(files.lists)).lists.lookupFn,
    rates: TRAIN_RATES,
    onProgress: (m) => log.info(m),
  });
  phase('train');

  const serveConfig: Config = {
    ...config,
    modelDir,
    listDir: join(dir, 'deny-lists'),
    spoolDir: join(dir, 'spool'),
    labelsDir: join(dir, 'analyst-labels'),
    redisKeyPrefix,
    rateLimitPerSecond: DEMO_RATE_LIMIT_PER_SECOND,
  };
  const lists = await loadGeneratedLists(serveConfig, log, files.lists);
  const runtime = await createServingDeps(serveConfig, log);
  let replayed: ReplayResult;
  try {
    const issued = await runtime.security.keys.create({ name: 'demo', scopes: ['admin', 'score', 'ingest', 'label'] }, 'demo');
    const server = await startServer(createApp(runtime.deps), { port: 0, host: '127.0.0.1', log });
    log.info({ url: server.url, backend: runtime.kind }, 'serving');
    const client = new DemoClient(server.url, issued.key, o.lanes);
    try {
      replayed = await replayThroughApi({ files, testFromMs: Date.parse(`${periods.testFrom}T00:00:00Z`), client, lanes: o.lanes, bodyLimit: bytesOf(serveConfig.bodyLimit), log, phase });
    } finally {
      client.close();
      await server.close();
    }
  } finally {
    await runtime.close();
  }

  if (replayed.errors.count > 0) {
    // The summary still prints, but a run that lost requests must not look like a clean one to a script.
    log.error({ failed: replayed.errors.count, first: replayed.errors.first[0] }, 'requests failed: the figures below miss them');
    process.exitCode = 1;
  }
  const truth = await readTruth(files.truth);
  return {
    dir,
    backend,
    ...(config.redisUrls ? { redisKeyPrefix: serveConfig.redisKeyPrefix } : {}),
    dataset: datasetSummary(dataset, fraudScale),
    periods,
    models: modelSummary(trained.versions),
    lists,
    replay: replayed.stats,
    decisions: tallyDecisions(replayed.answers),
    failModeAnswers: replayed.answers.filter((a) => a.score === null).length,
    caught: caughtByScenario(replayed.answers, truth),
    falsePositiveRate: falsePositiveRate(replayed.answers, truth),
    http: replayed.http,
    errors: replayed.errors,
    seconds: { ...phase.seconds(), total: round3((performance.now() - began) / 1000) },
  };
}

/** The working directory: a new temporary one, or `--out` if it is absent or empty (nothing of an earlier run mixes in). */
async function workingDirectory(out: string | undefined): Promise<string> {
  if (out === undefined) return mkdtemp(join(tmpdir(), 'vigil-demo-'));
  const dir = resolve(out);
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw new ValidationError(`--out: ${dir} is not empty; give a new or empty directory (the demo writes its data set and models there)`, [
      { path: ['--out'], message: 'directory not empty' },
    ]);
  }
  await mkdir(dir, { recursive: true });
  return dir;
}

/** Training: every day before the last {@link TEST_DAYS}; test: those days. Whole UTC days, both ends included. */
export function demoPeriods(start: string, days: number): { trainFrom: string; trainTo: string; testFrom: string; testTo: string } {
  const day = (n: number) => new Date(Date.parse(`${start}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);
  return { trainFrom: day(0), trainTo: day(days - TEST_DAYS - 1), testFrom: day(days - TEST_DAYS), testTo: day(days - 1) };
}

/** Loads the generator's `lists/<name>-<chain>.txt` into the serving deny list store, as `vigil lists load` would. */
async function loadGeneratedLists(config: Config, log: Logger, listDir: string): Promise<{ lists: number; addresses: number }> {
  let lists = 0;
  let addresses = 0;
  await withDenyListStore(config, log, async (store) => {
    for (const file of readdirSync(listDir).sort()) {
      const parts = parseListFileName(file);
      if (!parts) continue;
      const loaded = await loadList(store, { ...parts, file: join(listDir, file), log });
      lists++;
      addresses += loaded.loaded;
    }
  });
  return { lists, addresses };
}

/** One scored event's answer, with what the summary groups it by. */
export interface ScoredAnswer {
  eventId: string;
  type: ScoredEventType;
  decision: Decision;
  score: number | null;
}

interface ReplayResult {
  answers: ScoredAnswer[];
  stats: {
    history: { events: number; labels: number; requests: number; seconds: number; itemsPerSecond: number };
    test: { logins: number; withdrawals: number; accountChanges: number; labels: number; requests: number; seconds: number };
  };
  http: { lanes: number; requests: number; requestsPerSecond: number; cpuMsPerRequest: number; latencyMs: Percentiles; scoreLatencyMs: Percentiles };
  errors: { count: number; first: string[] };
}

interface ReplayOptions {
  files: { events: string; labels: string };
  testFromMs: number;
  client: DemoClient;
  lanes: number;
  bodyLimit: number;
  log: Logger;
  phase: (name: string) => void;
}

/**
 * The history (everything before the test period) goes through `/v1/events` and `/v1/labels` in time order, in
 * batches; the test period goes item by item as live traffic would: logins and withdrawals scored, account changes
 * ingested, labels sent when they became known, in lanes sharded by user so each user's events stay in order.
 */
async function replayThroughApi(o: ReplayOptions): Promise<ReplayResult> {
  const { items } = await readTimeline({ events: o.files.events, labels: o.files.labels });
  const userOf = new Map<string, string>();
  for (const item of items) if (item.kind === 'event') userOf.set(item.event.eventId, item.event.userId);
  const split = items.findIndex((item) => item.tsMs >= o.testFromMs);
  const history = split < 0 ? items : items.slice(0, split);
  const live = split < 0 ? [] : items.slice(split);

  const historyBegan = performance.now();
  const batches = ingestBatches(history, o.bodyLimit);
  o.log.info({ items: history.length, requests: batches.length }, 'sending the history through /v1/events and /v1/labels');
  let sent = 0;
  let lastReport = performance.now();
  for (const batch of batches) {
    await o.client.send(batch.path, batch.body);
    sent += batch.count;
    if (performance.now() - lastReport > 5000) {
      lastReport = performance.now();
      o.log.info({ sent, of: history.length }, 'history');
    }
  }
  const historySeconds = (performance.now() - historyBegan) / 1000;
  o.phase('history');
  // The history's big batches are not what a caller of the live API waits for.
  o.client.latency = { all: [], score: [] };

  o.log.info({ items: live.length, lanes: o.lanes }, 'replaying the test period as live traffic');
  const answers: ScoredAnswer[] = [];
  const testBegan = performance.now();
  // Client and server share this process: its CPU time per request is what one request costs both ends together,
  // a figure that holds on a busy machine where wall-clock rates depend on the neighbours.
  const cpuBefore = process.cpuUsage();
  const laneOf = (item: PipelineItem) => hashLane(item.kind === 'event' ? item.event.userId : (userOf.get(item.label.eventId) ?? ''), o.lanes);
  for (let start = 0; start < live.length; start += WINDOW_ITEMS) {
    const queues: PipelineItem[][] = Array.from({ length: o.lanes }, () => []);
    for (const item of live.slice(start, start + WINDOW_ITEMS)) queues[laneOf(item)]?.push(item);
    await Promise.all(
      queues.map(async (queue) => {
        for (const item of queue) {
          const answer = await sendLive(o.client, item);
          if (answer) answers.push(answer);
        }
      }),
    );
    if (performance.now() - lastReport > 5000) {
      lastReport = performance.now();
      o.log.info({ done: Math.min(live.length, start + WINDOW_ITEMS), of: live.length, scored: answers.length }, 'test period');
    }
  }
  const testSeconds = (performance.now() - testBegan) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  o.phase('test');

  const count = (f: (item: PipelineItem) => boolean, list: PipelineItem[]) => list.reduce((n, item) => n + (f(item) ? 1 : 0), 0);
  const isEvent = (type: string) => (item: PipelineItem) => item.kind === 'event' && item.event.type === type;
  const all = o.client.latency.all;
  return {
    answers,
    stats: {
      history: {
        events: count((i) => i.kind === 'event', history),
        labels: count((i) => i.kind === 'label', history),
        requests: batches.length,
        seconds: round3(historySeconds),
        itemsPerSecond: Math.round(history.length / historySeconds),
      },
      test: {
        logins: count(isEvent('login'), live),
        withdrawals: count(isEvent('withdrawal'), live),
        accountChanges: count(isEvent('account_change'), live),
        labels: count((i) => i.kind === 'label', live),
        requests: all.length,
        seconds: round3(testSeconds),
      },
    },
    http: {
      lanes: o.lanes,
      requests: all.length,
      requestsPerSecond: Math.round(all.length / testSeconds),
      cpuMsPerRequest: round3((cpu.user + cpu.system) / 1000 / Math.max(1, all.length)),
      latencyMs: percentiles(all),
      scoreLatencyMs: percentiles(o.client.latency.score),
    },
    errors: { count: o.client.errors.length, first: o.client.errors.slice(0, QUOTED_ERRORS) },
  };
}

/** Sends one test-period item; the answer for a scored event (undefined for the others, or when it failed). */
async function sendLive(client: DemoClient, item: PipelineItem): Promise<ScoredAnswer | undefined> {
  if (item.kind === 'label') {
    await client.send('/v1/labels', JSON.stringify({ labels: [item.label] }));
    return undefined;
  }
  const { event } = item;
  if (event.type === 'account_change') {
    await client.send('/v1/events', JSON.stringify({ events: [event] }));
    return undefined;
  }
  const answer = await client.send(`/v1/score/${event.type}`, JSON.stringify(event));
  if (answer === undefined) return undefined;
  const response = answer as ScoreResponse;
  return { eventId: event.eventId, type: event.type, decision: response.decision, score: response.score };
}

interface IngestBatch {
  path: '/v1/events' | '/v1/labels';
  body: string;
  count: number;
}

/**
 * Cuts time-ordered items into ingest requests: runs of one kind (so a label never overtakes its event), at most
 * {@link MAX_BATCH_ITEMS} items and under the service's body limit each.
 */
export function ingestBatches(items: readonly PipelineItem[], bodyLimit: number): IngestBatch[] {
  const batches: IngestBatch[] = [];
  let kind: PipelineItem['kind'] | undefined;
  let parts: string[] = [];
  let bytes = 0;
  const flush = () => {
    if (kind === undefined || parts.length === 0) return;
    const field = kind === 'event' ? 'events' : 'labels';
    batches.push({ path: `/v1/${field}`, body: `{"${field}":[${parts.join(',')}]}`, count: parts.length });
    parts = [];
    bytes = 0;
  };
  for (const item of items) {
    const json = JSON.stringify(item.kind === 'event' ? item.event : item.label);
    // The limit counts UTF-8 bytes (city names are not all ASCII); 16 bytes for the envelope and the comma.
    const size = Buffer.byteLength(json) + 1;
    if (item.kind !== kind || parts.length === MAX_BATCH_ITEMS || bytes + size + 16 > bodyLimit) flush();
    kind = item.kind;
    parts.push(json);
    bytes += size;
  }
  flush();
  return batches;
}

/** A size as VIGIL_BODY_LIMIT gives it (`256kb`, `1mb`, bytes), in bytes; the ingest batches stay under it. */
export function bytesOf(size: string): number {
  const m = /^(\d+)(b|kb|mb)?$/i.exec(size);
  if (!m) throw new Error(`unexpected body limit "${size}"`);
  const unit = (m[2] ?? 'b').toLowerCase();
  return Number(m[1]) * (unit === 'mb' ? 1024 * 1024 : unit === 'kb' ? 1024 : 1);
}

/** A stable lane for a user (FNV-1a of the id), so all of a user's events go through one lane in order. */
export function hashLane(userId: string, lanes: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < userId.length; i++) h = Math.imul(h ^ userId.charCodeAt(i), 0x01000193);
  return (h >>> 0) % lanes;
}

/**
 * The demo's HTTP client: keep-alive connections (one per lane) to the service, the API key on every request, and
 * retries of 429/503 answers (after Retry-After) and broken connections, which are safe because events and labels
 * are idempotent by event id. Records each exchange's latency; a request that still fails is counted, not thrown,
 * so one bad answer does not end the demo.
 */
class DemoClient {
  /** Durations of exchanges, ms: all of them, and those of scoring requests. */
  latency = { all: [] as number[], score: [] as number[] };
  readonly errors: string[] = [];
  private readonly agent: Agent;
  private readonly host: string;
  private readonly port: number;

  constructor(
    baseUrl: string,
    private readonly key: string,
    lanes: number,
  ) {
    const url = new URL(baseUrl);
    this.host = url.hostname;
    this.port = Number(url.port);
    this.agent = new Agent({ keepAlive: true, maxSockets: lanes });
  }

  /** POSTs a JSON body; the parsed answer of a 2xx, else undefined (the failure is recorded). */
  async send(path: string, body: string): Promise<unknown> {
    for (let attempt = 1; ; attempt++) {
      try {
        const began = performance.now();
        const answer = await this.post(path, body);
        const ms = performance.now() - began;
        this.latency.all.push(ms);
        if (path.startsWith('/v1/score/')) this.latency.score.push(ms);
        if (answer.status >= 200 && answer.status < 300) return JSON.parse(answer.text) as unknown;
        if ((answer.status === 429 || answer.status === 503) && attempt < MAX_ATTEMPTS) {
          await delay(Math.min(5, Number(answer.retryAfter) || 0.1) * 1000);
          continue;
        }
        this.errors.push(`${path}: HTTP ${answer.status} ${answer.text.slice(0, 300)}`);
        return undefined;
      } catch (err) {
        if (attempt < MAX_ATTEMPTS) {
          await delay(100 * attempt);
          continue;
        }
        this.errors.push(`${path}: ${(err as Error).message}`);
        return undefined;
      }
    }
  }

  close(): void {
    this.agent.destroy();
  }

  private post(path: string, body: string): Promise<{ status: number; text: string; retryAfter: string | undefined }> {
    return new Promise((resolvePost, reject) => {
      const req = request(
        {
          host: this.host,
          port: this.port,
          path,
          method: 'POST',
          agent: this.agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${this.key}` },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const retryAfter = res.headers['retry-after'];
            resolvePost({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }
}

export interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
}

/** Nearest-rank percentiles of durations in ms, rounded to µs; zeros for no durations. */
export function percentiles(values: readonly number[]): Percentiles {
  const sorted = Float64Array.from(values).sort();
  const at = (q: number) => (sorted.length === 0 ? 0 : round3(sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] as number));
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99) };
}

export type DecisionCounts = Record<Decision, number>;

/** Decisions per event type, every decision listed (zeros included). */
export function tallyDecisions(answers: readonly ScoredAnswer[]): Record<ScoredEventType, DecisionCounts> {
  const empty = (): DecisionCounts => ({ allow: 0, step_up: 0, hold: 0, block: 0 });
  const counts = { login: empty(), withdrawal: empty() };
  for (const a of answers) counts[a.type][a.decision]++;
  return counts;
}

export interface ScenarioCatch {
  /** Scored events (logins and withdrawals) of the scenario in the test period. */
  events: number;
  /** Share of them not allowed (stepped up, held or blocked); null without events. */
  notAllowedShare: number | null;
  withdrawals: number;
  /** Share of the scenario's withdrawals held or blocked (the money stopped); null without withdrawals. */
  withdrawalsStoppedShare: number | null;
}

/** Per fraud scenario of truth.jsonl: how much of it the service challenged or stopped. */
export function caughtByScenario(answers: readonly ScoredAnswer[], truth: ReadonlyMap<string, string>): Record<string, ScenarioCatch> {
  const tallies = new Map<string, { events: number; notAllowed: number; withdrawals: number; stopped: number }>();
  for (const scenario of [...new Set(truth.values())].sort()) tallies.set(scenario, { events: 0, notAllowed: 0, withdrawals: 0, stopped: 0 });
  for (const a of answers) {
    const scenario = truth.get(a.eventId);
    const t = scenario === undefined ? undefined : tallies.get(scenario);
    if (!t) continue;
    t.events++;
    if (a.decision !== 'allow') t.notAllowed++;
    if (a.type === 'withdrawal') {
      t.withdrawals++;
      if (a.decision === 'hold' || a.decision === 'block') t.stopped++;
    }
  }
  return Object.fromEntries(
    [...tallies].map(([scenario, t]) => [
      scenario,
      { events: t.events, notAllowedShare: share(t.notAllowed, t.events), withdrawals: t.withdrawals, withdrawalsStoppedShare: share(t.stopped, t.withdrawals) },
    ]),
  );
}

/** Share of legitimate scored events (not in truth.jsonl) that were not allowed, per type and overall. */
export function falsePositiveRate(answers: readonly ScoredAnswer[], truth: ReadonlyMap<string, string>): Record<ScoredEventType | 'all', number | null> {
  const legit = answers.filter((a) => !truth.has(a.eventId));
  const rate = (list: ScoredAnswer[]) => share(list.filter((a) => a.decision !== 'allow').length, list.length);
  return { login: rate(legit.filter((a) => a.type === 'login')), withdrawal: rate(legit.filter((a) => a.type === 'withdrawal')), all: rate(legit) };
}

const share = (n: number, d: number): number | null => (d === 0 ? null : Math.round((n / d) * 1e4) / 1e4);
const round3 = (x: number): number => Math.round(x * 1000) / 1000;

/** Seconds spent in each phase, measured from the end of the previous one. */
function phaseTimer(): ((name: string) => void) & { seconds(): Record<string, number> } {
  const seconds: Record<string, number> = {};
  let last = performance.now();
  const mark = (name: string) => {
    seconds[name] = round3((performance.now() - last) / 1000);
    last = performance.now();
  };
  return Object.assign(mark, { seconds: () => ({ ...seconds }) });
}

function datasetSummary(d: GenerateSummary, fraudScale: number) {
  const fraudEvents = Object.values(d.scenarios).reduce((n, s) => n + s.events, 0);
  return { users: d.users, days: d.days, seed: d.seed, start: d.start, fraudScale, events: d.events, fraudEvents, labels: d.labels };
}

function modelSummary(versions: TrainedVersion[]) {
  return Object.fromEntries(
    versions.map((v) => [
      v.eventType,
      {
        version: v.version,
        algorithm: v.algorithm,
        champion: v.champion,
        averagePrecision: v.metrics.averagePrecision as number,
        rocAuc: v.metrics.rocAuc as number,
        testEvents: v.metrics.n as number,
        testPositives: v.metrics.positives as number,
      },
    ]),
  );
}

/** The demo's result line. */
export interface DemoSummary {
  dir: string;
  backend: 'memory' | 'redis';
  redisKeyPrefix?: string;
  dataset: ReturnType<typeof datasetSummary>;
  periods: ReturnType<typeof demoPeriods>;
  models: ReturnType<typeof modelSummary>;
  lists: { lists: number; addresses: number };
  replay: ReplayResult['stats'];
  decisions: Record<ScoredEventType, DecisionCounts>;
  failModeAnswers: number;
  caught: Record<string, ScenarioCatch>;
  falsePositiveRate: Record<ScoredEventType | 'all', number | null>;
  http: ReplayResult['http'];
  errors: ReplayResult['errors'];
  seconds: Record<string, number>;
}
