import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateDataset, type GenerateOptions, type GenerateSummary } from '../../../data/generator/generate';

/** An event line of events.jsonl, loosely typed: tests check the fields they read. */
export interface EventRow {
  type: 'login' | 'withdrawal' | 'account_change';
  eventId: string;
  userId: string;
  ts: string;
  ip?: string;
  deviceId?: string;
  success?: boolean;
  country?: string;
  lat?: number;
  lon?: number;
  asset?: string;
  chain?: string;
  amount?: number;
  amountUsd?: number;
  address?: string;
  change?: string;
  [field: string]: unknown;
}

export interface LabelRow {
  eventId: string;
  label: 'fraud' | 'legit';
  ts: string;
  source?: string;
}

/** A generated data set read back into memory. */
export interface Dataset {
  dir: string;
  summary: GenerateSummary;
  eventLines: string[];
  labelLines: string[];
  events: EventRow[];
  labels: LabelRow[];
  /** Event id → scenario. */
  truth: Map<string, string>;
  /** Chain → listed addresses (lists/scam-<chain>.txt). */
  lists: Map<string, string[]>;
  /** Each user's events in file (time) order. */
  byUser: Map<string, EventRow[]>;
  cleanup: () => void;
}

const linesOf = (file: string): string[] => readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');

/** Generates into a fresh temporary directory and reads everything back. */
export function generateInTmp(options: Omit<GenerateOptions, 'out'>): Dataset {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-gen-'));
  const summary = generateDataset({ ...options, out: dir });
  const eventLines = linesOf(join(dir, 'events.jsonl'));
  const labelLines = linesOf(join(dir, 'labels.jsonl'));
  const events = eventLines.map((l) => JSON.parse(l) as EventRow);
  const truth = new Map<string, string>();
  for (const line of linesOf(join(dir, 'truth.jsonl'))) {
    const t = JSON.parse(line) as { eventId: string; scenario: string };
    truth.set(t.eventId, t.scenario);
  }
  const lists = new Map<string, string[]>();
  for (const file of readdirSync(join(dir, 'lists'))) {
    const chain = /^scam-(.+)\.txt$/.exec(file)?.[1];
    if (chain) lists.set(chain, linesOf(join(dir, 'lists', file)));
  }
  const byUser = new Map<string, EventRow[]>();
  for (const e of events) {
    const list = byUser.get(e.userId);
    if (list) list.push(e);
    else byUser.set(e.userId, [e]);
  }
  return {
    dir,
    summary,
    eventLines,
    labelLines,
    events,
    labels: labelLines.map((l) => JSON.parse(l) as LabelRow),
    truth,
    lists,
    byUser,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Users with at least one event of `scenario`, with their whole event history. */
export function victimsOf(data: Dataset, scenario: string): { userId: string; events: EventRow[] }[] {
  const users = new Set<string>();
  for (const e of data.events) if (data.truth.get(e.eventId) === scenario) users.add(e.userId);
  return [...users].map((userId) => ({ userId, events: data.byUser.get(userId) ?? [] }));
}

export const ms = (e: { ts: string }): number => Date.parse(e.ts);
