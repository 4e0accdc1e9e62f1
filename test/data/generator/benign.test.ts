import { distanceKm } from '../../../data/generator/cities';
import { DATACENTER_RANGES } from '../../../data/generator/network';
import { generateInTmp, ms, type Dataset, type EventRow } from './dataset';

/**
 * Without any fraud (fraudScale 0), the benign world alone must show what a naive detector would flag: new devices,
 * foreign countries, big amounts to new addresses, night logins, datacenter addresses, failed logins and resets.
 */

const HOUR = 3_600_000;
const isDatacenter = (ip: string | undefined): boolean => DATACENTER_RANGES.some((r) => ip?.startsWith(`${r.prefix}.`));

describe('benign behaviour', () => {
  let data: Dataset;
  let logins: EventRow[];
  let withdrawals: EventRow[];

  beforeAll(() => {
    data = generateInTmp({ users: 500, days: 30, seed: 5, fraudScale: 0 });
    logins = data.events.filter((e) => e.type === 'login');
    withdrawals = data.events.filter((e) => e.type === 'withdrawal');
  });
  afterAll(() => data?.cleanup());

  it('contains no fraud at fraud scale 0', () => {
    expect(data.truth.size).toBe(0);
    expect(data.summary.fraudRate).toEqual({ withdrawal: 0, login: 0, successfulLogin: 0 });
  });

  it('has heavy-tailed activity across users, and users who never withdraw', () => {
    const perUser = [...data.byUser.values()].map((evs) => evs.filter((e) => e.type === 'login').length).sort((a, b) => a - b);
    const median = perUser[Math.floor(perUser.length / 2)] as number;
    const p95 = perUser[Math.floor(perUser.length * 0.95)] as number;
    expect(p95).toBeGreaterThan(4 * median);
    const withdrawers = new Set(withdrawals.map((w) => w.userId));
    expect(withdrawers.size).toBeLessThan(0.9 * data.byUser.size);
    expect(withdrawers.size).toBeGreaterThan(0.3 * data.byUser.size);
  });

  it('shows devices appearing mid-window, with MFA resets by their owners', () => {
    const firstSeen = new Map<string, number>();
    const userFirst = new Map<string, number>();
    let lateNewDevices = 0;
    for (const e of logins) {
      if (!userFirst.has(e.userId)) userFirst.set(e.userId, ms(e));
      const key = `${e.userId}/${e.deviceId}`;
      if (!firstSeen.has(key)) {
        firstSeen.set(key, ms(e));
        if (ms(e) - (userFirst.get(e.userId) as number) > 7 * 24 * HOUR) lateNewDevices++;
      }
    }
    expect(lateNewDevices).toBeGreaterThan(20);
    const changes = new Set(data.events.filter((e) => e.type === 'account_change').map((e) => e.change));
    expect([...changes]).toEqual(expect.arrayContaining(['address_whitelisted', 'mfa_reset', 'password_reset']));
    expect(changes.size).toBeGreaterThanOrEqual(4);
  });

  it('shows travel abroad for days, never faster than a plane', () => {
    const abroad = new Map<string, Set<string>>();
    for (const evs of data.byUser.values()) {
      const located = evs.filter((e) => e.type === 'login' && e.success && e.lat !== undefined && !isDatacenter(e.ip));
      const countries = new Map<string, number>();
      for (const e of located) countries.set(e.country as string, (countries.get(e.country as string) ?? 0) + 1);
      const home = [...countries.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
      for (const e of located) {
        if (e.country !== home) abroad.set(e.userId, (abroad.get(e.userId) ?? new Set()).add(e.ts.slice(0, 10)));
      }
      for (let i = 1; i < located.length; i++) {
        const a = located[i - 1] as EventRow;
        const b = located[i] as EventRow;
        const km = distanceKm(a.lat as number, a.lon as number, b.lat as number, b.lon as number);
        if (km > 100) expect(km / ((ms(b) - ms(a)) / HOUR)).toBeLessThan(1000);
      }
    }
    // Several users spend more than one day abroad.
    expect([...abroad.values()].filter((days) => days.size >= 2).length).toBeGreaterThan(5);
  });

  it('uses shared and datacenter addresses, and both IP versions', () => {
    const usersByIp = new Map<string, Set<string>>();
    for (const e of logins) usersByIp.set(e.ip as string, (usersByIp.get(e.ip as string) ?? new Set()).add(e.userId));
    const shared = [...usersByIp.entries()].filter(([ip, users]) => users.size >= 5 && !isDatacenter(ip));
    expect(shared.length).toBeGreaterThan(5);
    expect(logins.filter((e) => isDatacenter(e.ip)).length).toBeGreaterThan(0.01 * logins.length);
    expect(logins.filter((e) => (e.ip as string).includes(':')).length).toBeGreaterThan(0.05 * logins.length);
  });

  it('has failed logins (typos, forgotten passwords) and logins at night', () => {
    const failed = logins.filter((e) => e.success === false);
    expect(failed.length).toBeGreaterThan(0.01 * logins.length);
    // Local hour from the longitude: a coarse time zone, good enough to tell night from day.
    const night = logins.filter((e) => {
      if (e.lon === undefined) return false;
      const local = (((new Date(e.ts).getUTCHours() + e.lon / 15) % 24) + 24) % 24;
      return local >= 1 && local < 5;
    });
    expect(night.length).toBeGreaterThan(0.03 * logins.length);
  });

  it('has big withdrawals to new addresses, several assets and round figures', () => {
    const history = new Map<string, { amounts: number[]; addresses: Set<string> }>();
    let bigToNew = 0;
    for (const w of withdrawals) {
      const h = history.get(w.userId) ?? { amounts: [], addresses: new Set<string>() };
      history.set(w.userId, h);
      const sorted = [...h.amounts].sort((a, b) => a - b);
      const median = sorted[Math.floor(sorted.length / 2)];
      if (median !== undefined && h.amounts.length >= 2 && (w.amountUsd as number) > 5 * median && !h.addresses.has(w.address as string)) bigToNew++;
      h.amounts.push(w.amountUsd as number);
      h.addresses.add(w.address as string);
    }
    expect(bigToNew).toBeGreaterThan(0);
    expect(new Set(withdrawals.map((w) => `${w.asset}/${w.chain}`)).size).toBeGreaterThanOrEqual(6);
    const round = withdrawals.filter((w) => /^\d+(\.\d)?$/.test(String(w.amount)) || /^0\.0*[1-9]5?$/.test(String(w.amount)));
    expect(round.length).toBeGreaterThan(0.1 * withdrawals.length);
  });
});
