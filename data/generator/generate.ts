import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ValidationError, type FieldIssue } from '../../core/errors';
import { PriceBook } from './assets';
import { benignDay } from './benign';
import { DAY, SCENARIOS, type ScenarioName } from './events';
import { Labeler, type LabelCounts } from './labels';
import { createScamLists, writeScamLists } from './lists';
import { createNetwork } from './network';
import { Rng, STREAMS } from './prng';
import { planScenarios } from './scenarios';
import { Timeline } from './timeline';
import { createUser } from './users';
import type { World } from './world';
import { DatasetWriter, type TypeCounts } from './writer';

/** What to generate. */
export interface GenerateOptions {
  /** Output directory (created if missing); its events, labels, truth and lists files are replaced. */
  out: string;
  /** @defaultValue 3000 */
  users?: number;
  /** Length of the window in days. @defaultValue 60 */
  days?: number;
  /** Same seed, same bytes. @defaultValue 42 */
  seed?: number;
  /** First day of the window (UTC), `YYYY-MM-DD`. @defaultValue `2026-01-01` */
  start?: string;
  /** Multiplies every fraud scenario's rate (tests use it to get many cases in a small world). @defaultValue 1 */
  fraudScale?: number;
  /** Called after each day is written. */
  onProgress?: (progress: { day: number; days: number; events: number }) => void;
}

export const GENERATE_DEFAULTS = { users: 3000, days: 60, seed: 42, start: '2026-01-01', fraudScale: 1 } as const;

export interface ScenarioSummary extends TypeCounts {
  events: number;
  /** This scenario's share of all withdrawals. */
  withdrawalRate: number;
  /** This scenario's share of all logins (failed ones included). */
  loginRate: number;
}

export interface GenerateSummary {
  out: string;
  seed: number;
  start: string;
  users: number;
  days: number;
  events: TypeCounts & { total: number };
  /** Fraud events per scenario, as tagged in truth.jsonl. */
  scenarios: Record<ScenarioName, ScenarioSummary>;
  /** Share of fraud among withdrawals, logins, and successful logins (attackers' own). */
  fraudRate: { withdrawal: number; login: number; successfulLogin: number };
  labels: LabelCounts;
  elapsedSeconds: number;
  eventsPerSecond: number;
}

const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;
const rate = (n: number, d: number): number => (d === 0 ? 0 : round6(n / d));

/** Epoch ms of a `YYYY-MM-DD` UTC day, or undefined if it is not a real calendar date. */
function parseDay(s: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return undefined;
  const ms = Date.parse(`${s}T00:00:00Z`);
  return Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== s ? undefined : ms;
}

function validate(o: Required<Omit<GenerateOptions, 'onProgress'>>): number {
  const issues: FieldIssue[] = [];
  const wholeIn = (field: string, v: number, min: number, max: number): void => {
    if (!Number.isInteger(v) || v < min || v > max) issues.push({ path: [field], message: `expected a whole number from ${min} to ${max}, got ${v}` });
  };
  if (o.out.trim() === '') issues.push({ path: ['out'], message: 'must not be empty' });
  wholeIn('users', o.users, 1, 10_000_000);
  wholeIn('days', o.days, 1, 3660);
  wholeIn('seed', o.seed, 0, 0xffffffff);
  if (!Number.isFinite(o.fraudScale) || o.fraudScale < 0 || o.fraudScale > 1000) {
    issues.push({ path: ['fraudScale'], message: `expected a number from 0 to 1000, got ${o.fraudScale}` });
  }
  const startMs = parseDay(o.start);
  if (startMs === undefined) issues.push({ path: ['start'], message: `expected a date as YYYY-MM-DD, got "${o.start}"` });
  if (issues.length > 0 || startMs === undefined) throw new ValidationError('invalid generate options', issues);
  return startMs;
}

/**
 * Generates a synthetic data set into `options.out`: events.jsonl (sorted by time), labels.jsonl, truth.jsonl and
 * lists/scam-<chain>.txt. Streams day by day: memory holds the users and one day of events. Deterministic: the same
 * options give byte-identical files.
 */
export function generateDataset(options: GenerateOptions): GenerateSummary {
  const o = { ...GENERATE_DEFAULTS, ...options };
  const startMs = validate(o);
  const began = performance.now();

  const worldRng = new Rng(o.seed, STREAMS.world);
  const benignRng = new Rng(o.seed, STREAMS.benign);
  const fraudRng = new Rng(o.seed, STREAMS.fraud);
  const network = createNetwork(worldRng, o.users);
  const users = Array.from({ length: o.users }, (_, i) => createUser(worldRng, network, i, { startMs, days: o.days }));
  const world: World = {
    users,
    network,
    prices: new PriceBook(new Rng(o.seed, STREAMS.prices)),
    timeline: new Timeline(startMs, o.days),
    scamLists: createScamLists(worldRng),
    cashOutWallets: new Map(),
  };
  const plan = planScenarios(fraudRng, o.users, o.days, o.fraudScale);

  mkdirSync(o.out, { recursive: true });
  const labeler = new Labeler(new Rng(o.seed, STREAMS.labels));
  const writer = new DatasetWriter(o.out, labeler);
  try {
    for (let day = 0; day < o.days; day++) {
      const dayStartMs = startMs + day * DAY;
      if (day > 0) world.prices.nextDay();
      // Scenarios first: they reserve their victims' story before the victims' own day is generated.
      for (const kind of plan[day] ?? []) kind.start(fraudRng, world, dayStartMs);
      for (const user of users) benignDay(benignRng, world, user, dayStartMs);
      writer.writeDay(world.timeline.takeDay(day));
      options.onProgress?.({ day: day + 1, days: o.days, events: writer.total });
    }
    writeScamLists(join(o.out, 'lists'), world.scamLists);
    writer.commit();
  } catch (err) {
    writer.abort();
    throw err;
  }

  const elapsedSeconds = (performance.now() - began) / 1000;
  return {
    out: o.out,
    seed: o.seed,
    start: o.start,
    users: o.users,
    days: o.days,
    ...fraudSummary(writer),
    labels: { ...labeler.counts },
    elapsedSeconds: Math.round(elapsedSeconds * 1000) / 1000,
    eventsPerSecond: Math.round(writer.total / elapsedSeconds),
  };
}

/** Event counts, and fraud per scenario and overall, from what the writer wrote. */
function fraudSummary(writer: DatasetWriter): Pick<GenerateSummary, 'events' | 'scenarios' | 'fraudRate'> {
  const all = writer.counts;
  const perScenario = SCENARIOS.map((name) => writer.byScenario[name]);
  const sum = (f: (s: (typeof perScenario)[number]) => number): number => perScenario.reduce((a, s) => a + f(s), 0);
  const scenarios = Object.fromEntries(
    SCENARIOS.map((name): [ScenarioName, ScenarioSummary] => {
      const s = writer.byScenario[name];
      const { login, withdrawal, account_change } = s;
      const summary = { events: login + withdrawal + account_change, login, withdrawal, account_change };
      return [name, { ...summary, withdrawalRate: rate(withdrawal, all.withdrawal), loginRate: rate(login, all.login) }];
    }),
  ) as Record<ScenarioName, ScenarioSummary>;
  return {
    events: { total: writer.total, ...all },
    scenarios,
    fraudRate: {
      withdrawal: rate(sum((s) => s.withdrawal), all.withdrawal),
      login: rate(sum((s) => s.login), all.login),
      successfulLogin: rate(sum((s) => s.successfulLogins), writer.successfulLogins),
    },
  };
}
