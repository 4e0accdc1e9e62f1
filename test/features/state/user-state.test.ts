import { featureNames } from '../../../features/definitions';
import { DEDUPE_HORIZON_MS } from '../../../features/state/entity-kind';
import { LOGIN_WINDOW_MS, MAX_WINDOW_ENTRIES, userKind, WITHDRAWAL_WINDOW_MS, type UserState } from '../../../features/state/user-state';
import { fraudLabelsKnown } from '../../../features/transforms/distinct';
import { HOUR, MINUTE } from '../../../features/transforms/time';
import type { UserRecord } from '../../../features/records';
import { bytesOf, canonical, DAY, featuresFrom, fold, label, login, T0, withdrawal } from './fixtures';

const change = (id: string, ts: number): UserRecord => ({ k: 'change', id, ts, change: 'password_reset' });

/** A user with some of everything: logins (failed, other devices and places), withdrawals (one of unknown value), a change, labels. */
function richHistory(): UserRecord[] {
  return [
    login('l1', T0),
    login('l2', T0 + HOUR, { ok: false, dev: 'dev-x' }),
    login('l3', T0 + DAY, { dev: 'dev-2', ip: '203.0.113.9', net: '203.0.113.0/24', ctry: 'FR', lat: 48.85, lon: 2.35 }),
    withdrawal('w1', T0 + DAY + HOUR),
    withdrawal('w2', T0 + 2 * DAY, { usd: undefined, addr: 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq' }),
    withdrawal('w3', T0 + 3 * DAY, { usd: 4000, hour: 3 }),
    change('c1', T0 + 3 * DAY + HOUR),
    label('w3', T0 + 4 * DAY, true),
    login('l4', T0 + 5 * DAY, { ctry: undefined, lat: undefined, lon: undefined }),
  ];
}

describe('user state: exactly once', () => {
  it.each([
    ['a login', login('x', T0 + 6 * DAY)],
    ['a failed login', login('x', T0 + 6 * DAY, { ok: false })],
    ['a withdrawal', withdrawal('x', T0 + 6 * DAY)],
    ['an account change', change('x', T0 + 6 * DAY)],
    ['a label', label('w1', T0 + 6 * DAY, true)],
  ])('applying %s twice leaves the state of applying it once', (_name, record) => {
    const { state } = fold(userKind, richHistory());
    expect(userKind.apply(state, record)).toBe(true);
    const once = userKind.encode(state);
    expect(userKind.apply(state, record)).toBe(false);
    expect(userKind.encode(state)).toBe(once);
  });

  it('also refuses an event id it saw earlier when the repeat carries another time', () => {
    const { state } = fold(userKind, richHistory());
    const before = userKind.encode(state);
    expect(userKind.apply(state, login('l3', T0 + 6 * DAY))).toBe(false);
    expect(userKind.encode(state)).toBe(before);
  });

  it('drops an event older than the dedupe horizon instead of risking a double count', () => {
    const { state } = fold(userKind, richHistory());
    const before = userKind.encode(state);
    expect(userKind.apply(state, login('ancient', state.latest - DEDUPE_HORIZON_MS))).toBe(false);
    expect(userKind.encode(state)).toBe(before);
    expect(userKind.apply(state, login('late-but-kept', state.latest - DEDUPE_HORIZON_MS + 1))).toBe(true);
  });
});

describe('user state: labels', () => {
  it('lets a later legit label correct an earlier fraud label', () => {
    const { state } = fold(userKind, [...richHistory(), label('w1', T0 + 6 * DAY, true)]);
    const now = T0 + 8 * DAY;
    expect(fraudLabelsKnown(state.labels, now)).toBe(2); // w1 and w3
    expect(userKind.apply(state, label('w1', T0 + 7 * DAY, false))).toBe(true);
    expect(state.labels.get('w1')).toEqual([T0 + 7 * DAY, 0]);
    expect(fraudLabelsKnown(state.labels, now)).toBe(1);
  });

  it('ignores a label older than the one it holds (a stale label arriving late)', () => {
    const { state } = fold(userKind, [...richHistory(), label('w1', T0 + 7 * DAY, false)]);
    const before = userKind.encode(state);
    expect(userKind.apply(state, label('w1', T0 + 6 * DAY, true))).toBe(false);
    expect(userKind.encode(state)).toBe(before);
  });

  it('keeps at most 256 labels, forgetting the oldest recorded', () => {
    const records = Array.from({ length: 257 }, (_, i) => label(`e${i}`, T0 + i * MINUTE, true));
    const { state } = fold(userKind, records);
    expect(state.labels.size).toBe(256);
    expect(state.labels.has('e0')).toBe(false);
    expect(state.labels.has('e1')).toBe(true);
    expect(state.labels.has('e256')).toBe(true);
  });
});

describe('user state: caps and pruning', () => {
  it('keeps at most 128 devices, forgetting the least recently seen', () => {
    const records = Array.from({ length: 129 }, (_, i) => login(`l${i}`, T0 + i * MINUTE, { dev: `dev-${i}` }));
    records.push(login('again-0', T0 + 200 * MINUTE, { dev: 'dev-0' })); // dev-0 seen again: dev-1 is now the oldest
    records.push(login('new', T0 + 201 * MINUTE, { dev: 'dev-new' }));
    const { state } = fold(userKind, records);
    expect(state.devices.size).toBe(128);
    expect(state.devices.has('dev-0')).toBe(true);
    expect(state.devices.has('dev-1')).toBe(false);
    expect(state.devices.has('dev-2')).toBe(false); // evicted by dev-128
    expect(state.devices.has('dev-new')).toBe(true);
  });

  it('keeps at most 128 destinations, forgetting the least recently used', () => {
    const addr = (i: number) => `0x${i.toString(16).padStart(40, '0')}`;
    const records = Array.from({ length: 129 }, (_, i) => withdrawal(`w${i}`, T0 + i * MINUTE, { addr: addr(i) }));
    const { state } = fold(userKind, records);
    expect(state.dests.size).toBe(128);
    expect(state.dests.has(addr(0))).toBe(false);
    expect(state.dests.get(addr(128))).toEqual([T0 + 128 * MINUTE, T0 + 128 * MINUTE, 1]);
  });

  it('drops attempts, withdrawals and changes that leave their windows, and ids beyond the horizon', () => {
    const { state } = fold(userKind, [
      login('l-old', T0, { ok: false }),
      withdrawal('w-old', T0),
      change('c-old', T0),
      login('l-new', T0 + LOGIN_WINDOW_MS + 1),
    ]);
    expect(state.loginTs).toEqual([T0 + LOGIN_WINDOW_MS + 1]);
    expect(state.loginOk).toEqual([1]);
    expect(state.changeTs).toEqual([]);
    expect(state.lastChange.password_reset).toBe(T0); // the last change is remembered beyond the week
    expect(state.wdTs).toEqual([T0]); // withdrawals stay 30 days

    userKind.apply(state, login('l-later', T0 + WITHDRAWAL_WINDOW_MS + 1));
    expect(state.wdTs).toEqual([]);
    expect(state.wdUsd).toEqual([]);
    expect(state.amounts.n).toBe(1); // amount statistics are all-time
    expect([...state.seen.keys()]).toEqual(['l-new', 'l-later']); // the day-0 ids are beyond the 30-day horizon
  });

  it(`stays bounded under brute force on the account: the newest ${MAX_WINDOW_ENTRIES} attempts, each applied once`, () => {
    // Five times the cap of failed logins within a minute, four per millisecond, then a burst sharing one timestamp.
    const flood = Array.from({ length: 5 * MAX_WINDOW_ENTRIES }, (_, i) => login(`bf${i}`, T0 + Math.floor(i / 4), { ok: false }));
    const sameTime = Array.from({ length: MAX_WINDOW_ENTRIES }, (_, i) => login(`st${i}`, T0 + MINUTE, { ok: false }));
    const { state, applied } = fold(userKind, [...flood, ...sameTime]);
    expect(applied.every(Boolean)).toBe(true);
    expect(state.loginTs).toHaveLength(MAX_WINDOW_ENTRIES);
    expect(state.loginOk).toHaveLength(MAX_WINDOW_ENTRIES);
    expect(state.seen.size).toBe(2 * MAX_WINDOW_ENTRIES);
    expect(userKind.encode(state).length).toBeLessThan(200_000);
    const once = userKind.encode(state);
    for (const r of [flood[0], flood[3 * MAX_WINDOW_ENTRIES], sameTime[0]]) expect(userKind.apply(state, r as UserRecord)).toBe(false);
    expect(userKind.encode(state)).toBe(once);
    // The user's own successful login afterwards is applied and counted.
    expect(userKind.apply(state, login('mine', T0 + HOUR))).toBe(true);
    expect(state.loginOk[MAX_WINDOW_ENTRIES - 1]).toBe(1);
  });

  it('forgets known devices, networks, countries and destinations idle for a year', () => {
    const { state } = fold(userKind, [login('l1', T0), withdrawal('w1', T0), login('l2', T0 + 365 * DAY, { dev: 'dev-2', ctry: 'FR' })]);
    expect([...state.devices.keys()]).toEqual(['dev-2']);
    expect([...state.countries.keys()]).toEqual(['FR']);
    expect(state.dests.size).toBe(0);
    expect(state.ips.size).toBe(1); // the same IP was used again, so it is not idle
  });
});

describe('user state: records out of time order', () => {
  it('inserts a late record at its place, keeps the newest last login, and moves `first` back', () => {
    const { state, applied } = fold(userKind, [
      login('l2', T0 + 2 * HOUR),
      login('l3', T0 + 3 * HOUR, { dev: 'dev-3' }),
      login('late', T0 + HOUR, { ok: false, dev: 'dev-late' }),
      login('late-ok', T0 + 90 * MINUTE, { dev: 'dev-late-ok' }),
    ]);
    expect(applied).toEqual([true, true, true, true]);
    expect(state.first).toBe(T0 + HOUR);
    expect(state.loginTs).toEqual([T0 + HOUR, T0 + 90 * MINUTE, T0 + 2 * HOUR, T0 + 3 * HOUR]);
    expect(state.loginOk).toEqual([0, 1, 1, 1]);
    expect(state.lastAttempt).toBe(T0 + 3 * HOUR);
    expect(state.lastLogin).toEqual({ ts: T0 + 3 * HOUR, devNew: true, ctryNew: false, ipNew: false });
    expect(state.devices.get('dev-late-ok')).toEqual([T0 + 90 * MINUTE, T0 + 90 * MINUTE]);
    expect(state.devices.get('dev-1')).toEqual([T0 + 2 * HOUR, T0 + 2 * HOUR]);
  });

  it('gives the same window counts whatever order the records of a window came in', () => {
    const records = [login('a', T0), login('b', T0 + HOUR, { ok: false }), withdrawal('c', T0 + 2 * HOUR), login('d', T0 + 3 * HOUR, { ok: false })];
    const inOrder = fold(userKind, records).state;
    const shuffled = fold(userKind, [records[3], records[1], records[0], records[2]] as UserRecord[]).state;
    const now = T0 + 4 * HOUR;
    const names = featureNames('login');
    const pick = (s: UserState) => {
      const v = featuresFrom('login', now, s);
      return ['user_logins_24h', 'user_failed_logins_24h', 'user_wd_count_24h', 'account_age_days'].map((n) => v[names.indexOf(n)]);
    };
    expect(pick(shuffled)).toEqual(pick(inOrder));
    expect(pick(inOrder)).toEqual([3, 2, 1, 4 / 24]);
  });
});

describe('hours_since_prev_withdrawal', () => {
  const hoursSincePrev = (records: UserRecord[], now: number) =>
    featuresFrom('withdrawal', now, fold(userKind, records).state)[featureNames('withdrawal').indexOf('hours_since_prev_withdrawal')];

  it('is the time since the latest withdrawal before the event, for a late event too (never negative)', () => {
    const records = [withdrawal('w1', T0), withdrawal('w2', T0 + 10 * DAY)];
    expect(hoursSincePrev(records, T0 + 12 * DAY)).toBe((2 * DAY) / HOUR);
    // An event arriving late, between the two: the state is pruned against T0 + 10 d, not against its time.
    expect(hoursSincePrev(records, T0 + 5 * DAY)).toBe((5 * DAY) / HOUR);
    expect(hoursSincePrev(records, T0 - DAY)).toBeNaN();
  });

  it('is unknown when the latest withdrawal is 30 days or more before the event, though the state still holds it', () => {
    // A login at T0 + 5 d keeps the withdrawal inside the state's own 30-day window until T0 + 30 d of state time.
    const records = [withdrawal('w1', T0), login('l1', T0 + 5 * DAY)];
    expect(fold(userKind, records).state.wdTs).toEqual([T0]);
    expect(hoursSincePrev(records, T0 + 30 * DAY - HOUR)).toBe((30 * DAY - HOUR) / HOUR);
    expect(hoursSincePrev(records, T0 + 30 * DAY)).toBeNaN();
    expect(hoursSincePrev(records, T0 + 33 * DAY)).toBeNaN();
  });
});

describe('user state: encode and decode', () => {
  it('round-trips to a state giving bit-identical features of both event types', () => {
    const { state } = fold(userKind, richHistory());
    const decoded = userKind.decode(userKind.encode(state));
    expect(userKind.encode(decoded)).toBe(userKind.encode(state));
    expect(decoded.wdUsd[1]).toBeNaN(); // unknown USD survives JSON
    for (const type of ['login', 'withdrawal'] as const) {
      for (const now of [T0 + 5 * DAY + MINUTE, T0 + 40 * DAY]) {
        expect(bytesOf(featuresFrom(type, now, decoded))).toEqual(bytesOf(featuresFrom(type, now, state)));
      }
    }
  });

  it('round-trips a fresh state (latest = −∞) and folds identically afterwards', () => {
    const fresh = userKind.decode(userKind.encode(userKind.init()));
    expect(fresh.latest).toBe(-Infinity);
    const records = richHistory();
    for (const r of records) userKind.apply(fresh, r);
    expect(canonical(userKind, fresh)).toBe(canonical(userKind, fold(userKind, records).state));
  });

  it('folds the same after a snapshot at any point (what Redis compaction does)', () => {
    const records = richHistory();
    const straight = canonical(userKind, fold(userKind, records).state);
    for (let cut = 0; cut <= records.length; cut++) {
      const snap = userKind.decode(userKind.encode(fold(userKind, records.slice(0, cut)).state));
      for (const r of records.slice(cut)) userKind.apply(snap, r);
      expect(canonical(userKind, snap)).toBe(straight);
    }
  });
});
