import { IP_WINDOW_MS, ipKind, MAX_IP_ATTEMPTS, MAX_IP_SEEN } from '../../../features/state/ip-state';
import { HOUR, MINUTE } from '../../../features/transforms/time';
import { bytesOf, featuresFrom, fold, ipAttempt, T0 } from './fixtures';
import { userKind } from '../../../features/state/user-state';

describe('IP state', () => {
  it('applies an attempt once', () => {
    const { state } = fold(ipKind, [ipAttempt('a', T0), ipAttempt('b', T0 + MINUTE, 'u2', false)]);
    const once = ipKind.encode(state);
    expect(ipKind.apply(state, ipAttempt('b', T0 + MINUTE, 'u2', false))).toBe(false);
    expect(ipKind.encode(state)).toBe(once);
  });

  it('keeps the attempts of the last 24 hours, in time order with their users and outcomes', () => {
    const { state } = fold(ipKind, [
      ipAttempt('a', T0, 'u1'),
      ipAttempt('b', T0 + 2 * HOUR, 'u2', false),
      ipAttempt('late', T0 + HOUR, 'u3', false),
      ipAttempt('c', T0 + IP_WINDOW_MS + 1, 'u4'),
    ]);
    expect(state.ts).toEqual([T0 + HOUR, T0 + 2 * HOUR, T0 + IP_WINDOW_MS + 1]);
    expect(state.users).toEqual(['u3', 'u2', 'u4']);
    expect(state.ok).toEqual([0, 0, 1]);
    expect(state.first).toBe(T0); // first sighting stays after its attempt ages out
  });

  it(`keeps at most ${MAX_IP_ATTEMPTS} attempts (the newest), so counts saturate there`, () => {
    const records = Array.from({ length: MAX_IP_ATTEMPTS + 10 }, (_, i) => ipAttempt(`s${i}`, T0 + i, `u${i}`, false));
    const { state } = fold(ipKind, records);
    expect(state.ts).toHaveLength(MAX_IP_ATTEMPTS);
    expect(state.users[0]).toBe('u10');
    expect(state.users[MAX_IP_ATTEMPTS - 1]).toBe(`u${MAX_IP_ATTEMPTS + 9}`);
  });

  it('stays bounded under credential stuffing, applying every attempt once', () => {
    // 20,000 attempts in under a minute from one IP, a few sharing a millisecond.
    const records = Array.from({ length: 20_000 }, (_, i) => ipAttempt(`s${i}`, T0 + Math.floor(i / 4), `u${i}`, false));
    const { state, applied } = fold(ipKind, records);
    expect(applied.every(Boolean)).toBe(true);
    expect(state.ts).toHaveLength(MAX_IP_ATTEMPTS);
    expect(state.seen.size).toBe(MAX_IP_SEEN);
    expect(ipKind.encode(state).length).toBeLessThan(200_000);
    const once = ipKind.encode(state);
    for (const r of [records[0], records[10_000], records[19_999]]) expect(ipKind.apply(state, r as (typeof records)[number])).toBe(false);
    expect(ipKind.encode(state)).toBe(once);
    // An attempt after the flood still counts.
    expect(ipKind.apply(state, ipAttempt('next', T0 + MINUTE, 'u0', true))).toBe(true);
    expect(state.users[MAX_IP_ATTEMPTS - 1]).toBe('u0');
  });

  it('round-trips through encode/decode to identical login features', () => {
    const { state } = fold(ipKind, [ipAttempt('a', T0, 'u1'), ipAttempt('b', T0 + 10 * MINUTE, 'u2', false), ipAttempt('c', T0 + 20 * MINUTE, 'u1', false)]);
    const decoded = ipKind.decode(ipKind.encode(state));
    expect(ipKind.encode(decoded)).toBe(ipKind.encode(state));
    const user = userKind.init();
    const now = T0 + 30 * MINUTE;
    expect(bytesOf(featuresFrom('login', now, user, { ipState: decoded }))).toEqual(bytesOf(featuresFrom('login', now, user, { ipState: state })));
  });
});
