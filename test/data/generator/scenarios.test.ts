import { distanceKm } from '../../../data/generator/cities';
import { generateInTmp, ms, victimsOf, type Dataset, type EventRow } from './dataset';

/**
 * Each fraud scenario must appear with the sequence of events it describes, checked per victim against the
 * victim's own (untagged) history.
 */

const HOUR = 3_600_000;

describe('fraud scenarios', () => {
  let data: Dataset;
  const tagOf = (e: EventRow): string | undefined => data.truth.get(e.eventId);
  /** The user's own events before `before`: untagged by truth.jsonl. */
  const ownBefore = (events: EventRow[], before: EventRow): EventRow[] => events.slice(0, events.indexOf(before)).filter((e) => !tagOf(e));

  beforeAll(() => {
    data = generateInTmp({ users: 400, days: 20, seed: 2026, fraudScale: 15 });
  });
  afterAll(() => data?.cleanup());

  it('produces every scenario', () => {
    for (const [name, s] of Object.entries(data.summary.scenarios)) {
      expect({ name, events: s.events > 0 }).toEqual({ name, events: true });
    }
  });

  it('credential stuffing: bursts of failed logins against many accounts from few addresses', () => {
    const stuffing = data.events.filter((e) => tagOf(e) === 'credential_stuffing');
    expect(stuffing.every((e) => e.type === 'login' && e.success === false)).toBe(true);
    const usersByIp = new Map<string, Set<string>>();
    for (const e of stuffing) usersByIp.set(e.ip as string, (usersByIp.get(e.ip as string) ?? new Set()).add(e.userId));
    const accounts = new Set(stuffing.map((e) => e.userId)).size;
    expect(accounts).toBeGreaterThan(50);
    // Few addresses, each trying many accounts.
    expect(usersByIp.size).toBeLessThan(accounts / 5);
    expect(Math.max(...[...usersByIp.values()].map((s) => s.size))).toBeGreaterThan(10);
  });

  it('account takeover: stuffing failures, then a new device from a new country, a reset, a withdrawal to a new address', () => {
    const stuffingIps = new Set(data.events.filter((e) => tagOf(e) === 'credential_stuffing').map((e) => e.ip));
    const victims = victimsOf(data, 'account_takeover');
    let complete = 0;
    for (const { events } of victims) {
      const chain = events.filter((e) => tagOf(e) === 'account_takeover');
      const first = chain[0] as EventRow;
      expect(first).toMatchObject({ type: 'login', success: true });
      const before = events.slice(0, events.indexOf(first));
      expect(before.some((e) => tagOf(e) === 'credential_stuffing' && e.success === false && stuffingIps.has(e.ip))).toBe(true);
      const own = ownBefore(events, first);
      expect(own.map((e) => e.deviceId)).not.toContain(first.deviceId);
      if (first.country) expect(own.map((e) => e.country)).not.toContain(first.country);
      const reset = chain.find((e) => e.type === 'account_change' && (e.change === 'password_reset' || e.change === 'mfa_reset'));
      const withdrawal = chain.find((e) => e.type === 'withdrawal');
      if (!reset || !withdrawal) continue; // the window ended mid-takeover
      expect(ms(reset)).toBeGreaterThan(ms(first));
      expect(ms(withdrawal)).toBeGreaterThan(ms(reset));
      expect(ownBefore(events, withdrawal).map((e) => e.address)).not.toContain(withdrawal.address);
      complete++;
    }
    expect(complete).toBeGreaterThanOrEqual(5);
  });

  it('sim swap: MFA reset, a login in the home country, then a quick drain', () => {
    let complete = 0;
    const localLogins: boolean[] = [];
    for (const { events } of victimsOf(data, 'sim_swap')) {
      const chain = events.filter((e) => tagOf(e) === 'sim_swap');
      const reset = chain[0] as EventRow;
      expect(reset).toMatchObject({ type: 'account_change', change: 'mfa_reset' });
      const login = chain.find((e) => e.type === 'login');
      const withdrawals = chain.filter((e) => e.type === 'withdrawal');
      if (!login || withdrawals.length === 0) continue;
      expect(login.success).toBe(true);
      const own = ownBefore(events, reset);
      expect(own.map((e) => e.deviceId)).not.toContain(login.deviceId);
      // The attacker is in the victim's country (a VPN user's history may not show it: hence a share, below).
      const usedCountries = new Set(own.filter((e) => e.type === 'login' && e.country).map((e) => e.country));
      if (login.country && usedCountries.size > 0) localLogins.push(usedCountries.has(login.country));
      for (const w of withdrawals) {
        expect(ms(w)).toBeGreaterThan(ms(login));
        expect(ms(w) - ms(reset)).toBeLessThan(4 * HOUR);
      }
      complete++;
    }
    expect(complete).toBeGreaterThanOrEqual(3);
    expect(localLogins.length).toBeGreaterThanOrEqual(3);
    expect(localLogins.filter(Boolean).length).toBeGreaterThanOrEqual(0.75 * localLogins.length);
  });

  it('impossible travel: a far-away login faster than a plane after a home login, then a withdrawal', () => {
    let complete = 0;
    for (const { events } of victimsOf(data, 'impossible_travel')) {
      const chain = events.filter((e) => tagOf(e) === 'impossible_travel');
      const far = chain[0] as EventRow;
      expect(far).toMatchObject({ type: 'login', success: true });
      if (far.lat === undefined) continue; // a geolocation miss
      const recent = ownBefore(events, far).filter((e) => e.type === 'login' && e.success && e.lat !== undefined && ms(far) - ms(e) <= 4 * HOUR);
      if (recent.length === 0) continue; // the home login's geolocation missed
      const speeds = recent.map((h) => distanceKm(h.lat as number, h.lon as number, far.lat as number, far.lon as number) / ((ms(far) - ms(h)) / HOUR));
      expect(Math.max(...speeds)).toBeGreaterThan(1000);
      const withdrawal = chain.find((e) => e.type === 'withdrawal');
      if (!withdrawal) continue;
      expect(ms(withdrawal)).toBeGreaterThan(ms(far));
      complete++;
    }
    expect(complete).toBeGreaterThanOrEqual(3);
  });

  it('phishing drain: from the victim own device to a listed scam address', () => {
    const phishing = data.events.filter((e) => tagOf(e) === 'phishing_drain');
    const withdrawals = phishing.filter((e) => e.type === 'withdrawal');
    expect(withdrawals.length).toBeGreaterThanOrEqual(5);
    for (const w of withdrawals) {
      expect(data.lists.get(w.chain as string)).toContain(w.address);
      const own = ownBefore(data.byUser.get(w.userId) as EventRow[], w);
      const session = own.filter((e) => e.type === 'login' && e.success && e.deviceId === w.deviceId && e.ip === w.ip && ms(w) - ms(e) < 2 * HOUR);
      expect(session.length).toBeGreaterThan(0);
    }
    const whitelisted = phishing.filter((e) => e.type === 'account_change');
    expect(whitelisted.every((e) => e.change === 'address_whitelisted')).toBe(true);
    // Nothing else ever sends to a listed address.
    const listed = new Set([...data.lists.values()].flat());
    const others = data.events.filter((e) => e.type === 'withdrawal' && listed.has(e.address as string) && tagOf(e) !== 'phishing_drain');
    expect(others).toEqual([]);
  });

  it('mule addresses: each receives from several unrelated users, in ordinary sessions', () => {
    const mule = data.events.filter((e) => tagOf(e) === 'mule_address');
    expect(mule.every((e) => e.type === 'withdrawal')).toBe(true);
    const senders = new Map<string, Set<string>>();
    for (const w of mule) senders.set(w.address as string, (senders.get(w.address as string) ?? new Set()).add(w.userId));
    const counts = [...senders.values()].map((s) => s.size);
    expect(Math.max(...counts)).toBeGreaterThanOrEqual(3);
    // A ring cut short by the end of the window may show a single sender; most payments go to shared addresses.
    const shared = mule.filter((w) => (senders.get(w.address as string)?.size ?? 0) >= 2).length;
    expect(shared).toBeGreaterThanOrEqual(0.8 * mule.length);
    for (const w of mule) {
      const own = ownBefore(data.byUser.get(w.userId) as EventRow[], w);
      expect(own.filter((e) => e.type === 'login' && e.success).map((e) => e.deviceId)).toContain(w.deviceId);
    }
  });

  it('slow compromise: creeping amounts to one new address from one new device over about two weeks', () => {
    let complete = 0;
    for (const { events } of victimsOf(data, 'slow_compromise')) {
      const chain = events.filter((e) => tagOf(e) === 'slow_compromise');
      const withdrawals = chain.filter((e) => e.type === 'withdrawal');
      const logins = chain.filter((e) => e.type === 'login');
      expect(new Set(withdrawals.map((w) => w.address)).size).toBeLessThanOrEqual(1);
      expect(new Set(logins.map((l) => l.deviceId)).size).toBe(1);
      expect(ownBefore(events, logins[0] as EventRow).map((e) => e.deviceId)).not.toContain(logins[0]?.deviceId);
      if (withdrawals.length < 4) continue; // the window ended early in the story
      const first = withdrawals[0] as EventRow;
      const last = withdrawals.at(-1) as EventRow;
      expect(last.amountUsd as number).toBeGreaterThan(first.amountUsd as number);
      expect(ms(last) - ms(first)).toBeLessThan(21 * 24 * HOUR);
      complete++;
    }
    expect(complete).toBeGreaterThanOrEqual(2);
  });

  it('keeps each victim to one scenario (stuffing targets aside)', () => {
    const scenariosByUser = new Map<string, Set<string>>();
    for (const e of data.events) {
      const tag = tagOf(e);
      if (tag && tag !== 'credential_stuffing') scenariosByUser.set(e.userId, (scenariosByUser.get(e.userId) ?? new Set()).add(tag));
    }
    expect(scenariosByUser.size).toBeGreaterThan(20);
    for (const tags of scenariosByUser.values()) expect(tags.size).toBe(1);
  });
});
