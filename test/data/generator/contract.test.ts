import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { checkAddress } from '../../../data/addresses';
import { SCENARIOS } from '../../../data/generator/events';
import { safeParseEvent, safeParseLabel } from '../../../data/schemas';
import { generateInTmp, ms, type Dataset } from './dataset';

describe('generated data set against the data contract', () => {
  let data: Dataset;
  beforeAll(() => {
    data = generateInTmp({ users: 300, days: 20, seed: 11, fraudScale: 10 });
  });
  afterAll(() => data?.cleanup());

  it('writes only the data set files, no partial ones', () => {
    expect(readdirSync(data.dir).sort()).toEqual(['events.jsonl', 'labels.jsonl', 'lists', 'truth.jsonl']);
    expect(existsSync(join(data.dir, 'events.jsonl.partial'))).toBe(false);
  });

  it('writes events that each validate against data/schemas.ts and carry their type', () => {
    const bad = data.eventLines.map((l) => ({ line: l, parsed: safeParseEvent(JSON.parse(l)) })).filter((r) => !r.parsed.ok);
    expect(bad).toEqual([]);
    const types = new Set(data.events.map((e) => e.type));
    expect([...types].sort()).toEqual(['account_change', 'login', 'withdrawal']);
  });

  it('writes labels that each validate', () => {
    expect(data.labels.length).toBeGreaterThan(20);
    const bad = data.labelLines.filter((l) => !safeParseLabel(JSON.parse(l)).ok);
    expect(bad).toEqual([]);
  });

  it('sorts events by time, with unique ids', () => {
    const times = data.events.map(ms);
    const firstOutOfOrder = times.findIndex((t, i) => i > 0 && t < (times[i - 1] as number));
    expect(firstOutOfOrder).toBe(-1);
    expect(new Set(data.events.map((e) => e.eventId)).size).toBe(data.events.length);
  });

  it('keeps every event inside the window', () => {
    const start = Date.parse('2026-01-01T00:00:00Z');
    expect(ms(data.events[0] as { ts: string })).toBeGreaterThanOrEqual(start);
    expect(ms(data.events.at(-1) as { ts: string })).toBeLessThan(start + 20 * 86_400_000);
  });

  it('fills the optional fields the features use', () => {
    const logins = data.events.filter((e) => e.type === 'login');
    const withdrawals = data.events.filter((e) => e.type === 'withdrawal');
    const share = (rows: typeof logins, f: (e: (typeof logins)[number]) => boolean): number => rows.filter(f).length / rows.length;
    expect(share(logins, (e) => typeof e.country === 'string' && typeof e.lat === 'number' && typeof e.channel === 'string')).toBeGreaterThan(0.9);
    expect(share(logins, (e) => typeof e.userAgent === 'string')).toBeGreaterThan(0.9);
    expect(share(withdrawals, (e) => typeof e.chain === 'string' && typeof e.amountUsd === 'number' && typeof e.ip === 'string')).toBe(1);
    // USD values follow the asset amount at a plausible price.
    const btc = withdrawals.filter((e) => e.asset === 'BTC');
    expect(btc.length).toBeGreaterThan(10);
    for (const w of btc) expect((w.amountUsd as number) / (w.amount as number)).toBeGreaterThan(50_000);
    // Both IP versions appear.
    expect(logins.some((e) => (e.ip as string).includes(':'))).toBe(true);
  });

  it('uses addresses that are valid for their chain', () => {
    const withdrawals = data.events.filter((e) => e.type === 'withdrawal');
    const chains = new Set(withdrawals.map((w) => w.chain));
    expect([...chains]).toEqual(expect.arrayContaining(['bitcoin', 'ethereum', 'tron']));
    for (const w of withdrawals) expect(checkAddress(w.chain as string, w.address as string)).toEqual({ ok: true });
    // Bitcoin shows every address form: legacy, P2SH and bech32.
    const btc = withdrawals.filter((w) => w.chain === 'bitcoin').map((w) => w.address as string);
    for (const prefix of ['1', '3', 'bc1q']) expect(btc.some((a) => a.startsWith(prefix))).toBe(true);
  });

  it('writes scam lists of valid addresses per chain', () => {
    expect([...data.lists.keys()]).toEqual(expect.arrayContaining(['bitcoin', 'ethereum', 'tron']));
    for (const [chain, addresses] of data.lists) {
      expect(addresses.length).toBeGreaterThan(20);
      for (const a of addresses) expect(checkAddress(chain, a)).toEqual({ ok: true });
    }
  });

  it('tags in truth.jsonl only events that exist, with known scenario names', () => {
    const ids = new Set(data.events.map((e) => e.eventId));
    for (const [id, scenario] of data.truth) {
      expect(ids.has(id)).toBe(true);
      expect(SCENARIOS).toContain(scenario);
    }
  });

  it('returns a summary that matches the files', () => {
    const s = data.summary;
    expect(s.events.total).toBe(data.events.length);
    for (const type of ['login', 'withdrawal', 'account_change'] as const) {
      expect(s.events[type]).toBe(data.events.filter((e) => e.type === type).length);
    }
    for (const scenario of SCENARIOS) {
      const tagged = [...data.truth.values()].filter((v) => v === scenario).length;
      expect(s.scenarios[scenario].events).toBe(tagged);
    }
    const fraudWithdrawals = data.events.filter((e) => e.type === 'withdrawal' && data.truth.has(e.eventId)).length;
    expect(s.fraudRate.withdrawal).toBeCloseTo(fraudWithdrawals / s.events.withdrawal, 5);
    expect(s.labels.fraud + s.labels.legit).toBe(data.labels.length);
    expect(s.users).toBe(300);
    expect(s.days).toBe(20);
    expect(s.eventsPerSecond).toBeGreaterThan(0);
  });
});
