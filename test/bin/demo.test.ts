import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  autoFraudScale,
  bytesOf,
  caughtByScenario,
  demoPeriods,
  falsePositiveRate,
  hashLane,
  ingestBatches,
  percentiles,
  tallyDecisions,
  type DemoSummary,
  type ScoredAnswer,
} from '../../bin/demo';
import type { PipelineItem } from '../../features/pipeline';

const VIGIL = join(__dirname, '../../bin/vigil.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node bin/vigil.js …` without the developer's Vigil settings or REDIS_URL (the demo's embedded default). */
function vigil(args: string[]): Promise<Run> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VIGIL_') && k !== 'REDIS_URL'));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [VIGIL, ...args], { env: { ...env, VIGIL_LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'vigil-demo-test-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('vigil demo', () => {
  let run: Run;
  let summary: DemoSummary;
  let out: string;

  beforeAll(async () => {
    out = join(root, 'run');
    run = await vigil(['demo', '--users', '300', '--days', '30', '--seed', '3', '--out', out]);
    if (run.code !== 0) throw new Error(`vigil demo exited with ${run.code}:\n${run.stderr.slice(-4000)}`);
    summary = JSON.parse(run.stdout.trim().split('\n').pop() as string) as DemoSummary;
  }, 240_000);

  it('prints one JSON line on stdout and its progress on stderr', () => {
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain(`working directory ${out}`);
    expect(run.stderr).toContain('embedded memory backends');
    expect(run.stderr).toMatch(/"msg":"test period"|"msg":"replaying the test period as live traffic"/);
    expect(summary.dir).toBe(out);
    expect(summary.backend).toBe('memory');
  });

  it('generates the data set it was asked for, and trains on all but the last 14 days', () => {
    expect(summary.dataset).toMatchObject({ users: 300, days: 30, seed: 3 });
    expect(summary.dataset.events.total).toBe(summary.dataset.events.login + summary.dataset.events.withdrawal + summary.dataset.events.account_change);
    expect(summary.periods).toEqual({ trainFrom: '2026-01-01', trainTo: '2026-01-16', testFrom: '2026-01-17', testTo: '2026-01-30' });
    for (const f of ['events.jsonl', 'labels.jsonl', 'truth.jsonl']) expect(existsSync(join(out, f))).toBe(true);
  });

  it('serves the models it trained: both are champions, with test metrics', async () => {
    const champions = JSON.parse(await readFile(join(out, 'models', 'champions.json'), 'utf8')) as Record<string, string>;
    for (const type of ['login', 'withdrawal'] as const) {
      const model = summary.models[type];
      expect(model).toBeDefined();
      expect(champions[type]).toBe(model?.version);
      expect(model?.champion).toBe(true);
      expect(model?.averagePrecision).toBeGreaterThan(0);
      expect(model?.averagePrecision).toBeLessThanOrEqual(1);
      expect(model?.rocAuc).toBeGreaterThan(0.5);
    }
    expect(readdirSync(join(out, 'models')).filter((d) => d !== 'champions.json')).toHaveLength(2);
  });

  it('answers every request, and counts a decision for every scored event', () => {
    expect(summary.errors).toEqual({ count: 0, first: [] });
    const { test, history } = summary.replay;
    expect(history.events).toBeGreaterThan(0);
    expect(history.events + history.labels + test.logins + test.withdrawals + test.accountChanges + test.labels).toBe(
      summary.dataset.events.total + summary.dataset.labels.fraud + summary.dataset.labels.legit,
    );
    const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
    expect(sum(summary.decisions.login)).toBe(test.logins);
    expect(sum(summary.decisions.withdrawal)).toBe(test.withdrawals);
    expect(test.logins).toBeGreaterThan(0);
    expect(test.withdrawals).toBeGreaterThan(0);
    // Every test-period item is one request.
    expect(summary.http.requests).toBe(test.logins + test.withdrawals + test.accountChanges + test.labels);
    // A login can be stepped up or blocked, never held.
    expect(summary.decisions.login.hold).toBe(0);
    expect(summary.failModeAnswers).toBe(0);
  });

  it('catches fraud of at least one scenario without stopping most legitimate traffic', () => {
    const caught = Object.values(summary.caught);
    expect(caught.length).toBeGreaterThan(0);
    expect(caught.some((s) => (s.notAllowedShare ?? 0) > 0)).toBe(true);
    for (const s of caught) {
      if (s.events === 0) expect(s.notAllowedShare).toBeNull();
      else expect(s.notAllowedShare).toBeGreaterThanOrEqual(0);
      if (s.withdrawals === 0) expect(s.withdrawalsStoppedShare).toBeNull();
    }
    expect(summary.falsePositiveRate.all).toBeGreaterThanOrEqual(0);
    expect(summary.falsePositiveRate.all).toBeLessThan(0.5);
  });

  it('reports HTTP latency percentiles and a request rate', () => {
    const { latencyMs, scoreLatencyMs, requestsPerSecond } = summary.http;
    for (const p of [latencyMs, scoreLatencyMs]) {
      expect(p.p50).toBeGreaterThan(0);
      expect(p.p50).toBeLessThanOrEqual(p.p95);
      expect(p.p95).toBeLessThanOrEqual(p.p99);
    }
    expect(requestsPerSecond).toBeGreaterThan(0);
  });
});

describe('vigil demo with bad input', () => {
  it('refuses too few days, naming the option, and creates nothing', async () => {
    const out = join(root, 'short');
    const run = await vigil(['demo', '--days', '10', '--out', out]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/--days/);
    expect(run.stderr).toMatch(/>= 21/);
    expect(run.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
  });

  it('refuses a working directory that is not empty, and leaves it as it was', async () => {
    const out = join(root, 'used');
    await mkdir(out);
    await writeFile(join(out, 'keep.txt'), 'mine');
    const run = await vigil(['demo', '--users', '300', '--days', '30', '--out', out]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--out: .* is not empty/);
    expect(readdirSync(out)).toEqual(['keep.txt']);
  });
});

describe('demo arithmetic', () => {
  const answers: ScoredAnswer[] = [
    { eventId: 'f1', type: 'withdrawal', decision: 'hold', score: 0.9 },
    { eventId: 'f2', type: 'withdrawal', decision: 'step_up', score: 0.5 },
    { eventId: 'f3', type: 'login', decision: 'allow', score: 0.1 },
    { eventId: 'f4', type: 'login', decision: 'block', score: 0.99 },
    { eventId: 'l1', type: 'login', decision: 'allow', score: 0.01 },
    { eventId: 'l2', type: 'login', decision: 'step_up', score: 0.3 },
    { eventId: 'l3', type: 'withdrawal', decision: 'allow', score: 0.02 },
    { eventId: 'l4', type: 'withdrawal', decision: 'allow', score: null },
  ];
  const truth = new Map([
    ['f1', 'phishing_drain'],
    ['f2', 'phishing_drain'],
    ['f3', 'credential_stuffing'],
    ['f4', 'credential_stuffing'],
    ['a1', 'sim_swap'], // an account change: never scored
  ]);

  it('counts every decision of every type', () => {
    expect(tallyDecisions(answers)).toEqual({
      login: { allow: 2, step_up: 1, hold: 0, block: 1 },
      withdrawal: { allow: 2, step_up: 1, hold: 1, block: 0 },
    });
  });

  it('gives each scenario the share not allowed, and of its withdrawals the share held or blocked', () => {
    expect(caughtByScenario(answers, truth)).toEqual({
      credential_stuffing: { events: 2, notAllowedShare: 1 / 2, withdrawals: 0, withdrawalsStoppedShare: null },
      phishing_drain: { events: 2, notAllowedShare: 2 / 2, withdrawals: 2, withdrawalsStoppedShare: 1 / 2 },
      sim_swap: { events: 0, notAllowedShare: null, withdrawals: 0, withdrawalsStoppedShare: null },
    });
  });

  it('counts legitimate events not allowed as false positives', () => {
    expect(falsePositiveRate(answers, truth)).toEqual({ login: 1 / 2, withdrawal: 0 / 2, all: 1 / 4 });
  });

  it('takes nearest-rank percentiles', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i); // 1..100 ms, unsorted
    expect(percentiles(values)).toEqual({ p50: 50, p95: 95, p99: 99 });
    expect(percentiles([7])).toEqual({ p50: 7, p95: 7, p99: 7 });
    expect(percentiles([])).toEqual({ p50: 0, p95: 0, p99: 0 });
  });

  it('cuts ingest batches at a change of kind, at 1000 items and under the body limit', () => {
    const event = (i: number): PipelineItem => ({
      kind: 'event',
      tsMs: i,
      event: { type: 'account_change', eventId: `e${i}`, userId: 'u1', ts: new Date(i).toISOString(), change: 'password_reset' },
    });
    const label: PipelineItem = { kind: 'label', tsMs: 5, label: { eventId: 'e1', label: 'fraud', ts: new Date(5).toISOString() } };
    const items = [...Array.from({ length: 1500 }, (_, i) => event(i)), label, event(2000)];
    const batches = ingestBatches(items, bytesOf('1mb'));
    expect(batches.map((b) => [b.path, b.count])).toEqual([
      ['/v1/events', 1000],
      ['/v1/events', 500],
      ['/v1/labels', 1],
      ['/v1/events', 1],
    ]);
    expect(JSON.parse(batches[2]?.body as string)).toEqual({ labels: [{ eventId: 'e1', label: 'fraud', ts: new Date(5).toISOString() }] });

    const limit = 2000;
    const small = ingestBatches(items.slice(0, 100), limit);
    expect(small.length).toBeGreaterThan(1);
    for (const b of small) expect(Buffer.byteLength(b.body)).toBeLessThanOrEqual(limit);
    expect(small.reduce((n, b) => n + b.count, 0)).toBe(100);
  });

  it('reads body limits as the service does', () => {
    expect(bytesOf('256kb')).toBe(256 * 1024);
    expect(bytesOf('1mb')).toBe(1024 * 1024);
    expect(bytesOf('900')).toBe(900);
  });

  it('tests on the last 14 days and trains on the days before', () => {
    expect(demoPeriods('2026-01-01', 60)).toEqual({ trainFrom: '2026-01-01', trainTo: '2026-02-15', testFrom: '2026-02-16', testTo: '2026-03-01' });
  });

  it('scales fraud up for small worlds only, within the cap', () => {
    expect(autoFraudScale(3000, 60)).toBe(1);
    expect(autoFraudScale(30_000, 60)).toBe(1);
    expect(autoFraudScale(1500, 60)).toBe(2);
    expect(autoFraudScale(300, 30)).toBe(20);
    expect(autoFraudScale(10, 21)).toBe(20);
  });

  it('keeps a user in one lane and spreads users over all lanes', () => {
    const users = Array.from({ length: 400 }, (_, i) => `u${String(i).padStart(6, '0')}`);
    expect(users.map((u) => hashLane(u, 4))).toEqual(users.map((u) => hashLane(u, 4)));
    const perLane = [0, 1, 2, 3].map((lane) => users.filter((u) => hashLane(u, 4) === lane).length);
    for (const n of perLane) expect(n).toBeGreaterThan(50);
  });
});
