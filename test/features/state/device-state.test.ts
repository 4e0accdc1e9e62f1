import { featureNames } from '../../../features/definitions';
import { DEVICE_WINDOW_MS, deviceKind, MAX_DEVICE_USERS, otherUsersInWindows } from '../../../features/state/device-state';
import { userKind } from '../../../features/state/user-state';
import { HOUR } from '../../../features/transforms/time';
import { bytesOf, DAY, deviceUse, featuresFrom, fold, label, T0 } from './fixtures';

const WINDOWS = [DAY, 30 * DAY];

describe('device state', () => {
  it('applies a use once', () => {
    const { state } = fold(deviceKind, [deviceUse('a', T0, 'u1'), deviceUse('b', T0 + HOUR, 'u2')]);
    const once = deviceKind.encode(state);
    expect(deviceKind.apply(state, deviceUse('b', T0 + HOUR, 'u2'))).toBe(false);
    expect(deviceKind.encode(state)).toBe(once);
  });

  it('ends in the same state when records come again later (redelivery), with no list of event ids', () => {
    const records = [deviceUse('a', T0, 'u1'), deviceUse('b', T0 + HOUR, 'u2'), deviceUse('c', T0 + 2 * DAY, 'u1'), deviceUse('d', T0 + 40 * DAY, 'u3')];
    const once = fold(deviceKind, records).state;
    const again = fold(deviceKind, [records[0], records[1], records[0], records[2], records[1], records[3], records[2], records[0]].map((r) => r!)).state;
    expect(deviceKind.encode(again)).toBe(deviceKind.encode(once));
    expect(Object.keys(once)).not.toContain('seen');
  });

  it("keeps each user's latest use of the last 30 days", () => {
    const { state } = fold(deviceKind, [
      deviceUse('a', T0, 'u1'),
      deviceUse('b', T0 + 2 * DAY, 'u2'),
      deviceUse('late', T0 + DAY, 'u2'),
      deviceUse('c', T0 + 3 * DAY, 'u1'),
      deviceUse('d', T0 + 2 * DAY + DEVICE_WINDOW_MS, 'u3'),
    ]);
    // u1's latest use (day 3) is still inside the window of the last event; u2's (day 2) is at its edge and goes.
    expect([...state.users]).toEqual([
      ['u1', T0 + 3 * DAY],
      ['u3', T0 + 2 * DAY + DEVICE_WINDOW_MS],
    ]);
  });

  it(`keeps at most ${MAX_DEVICE_USERS} users (the most recent), so counts saturate there`, () => {
    const { state } = fold(
      deviceKind,
      Array.from({ length: MAX_DEVICE_USERS + 5 }, (_, i) => deviceUse(`e${i}`, T0 + i, `u${i}`)),
    );
    expect(state.users.size).toBe(MAX_DEVICE_USERS);
    expect(state.users.has('u4')).toBe(false);
    expect(state.users.has('u5')).toBe(true);
  });

  it('counts other users in each window, never the user scored nor uses after the event', () => {
    const { state } = fold(deviceKind, [
      deviceUse('a', T0, 'u1'),
      deviceUse('b', T0 + 10 * DAY, 'u2'),
      deviceUse('c', T0 + 20 * DAY + HOUR, 'u3'),
      deviceUse('d', T0 + 20 * DAY + 2 * HOUR, 'me'),
      deviceUse('e', T0 + 22 * DAY, 'u4'),
    ]);
    const now = T0 + 20 * DAY + 3 * HOUR;
    // u1, u2 and u3 within 30 days, u3 within the day; "me" is the user scored; u4's use is after the event.
    expect(otherUsersInWindows(state, 'me', now, WINDOWS)).toEqual([1, 3]);
    expect(otherUsersInWindows(state, 'u3', now, WINDOWS)).toEqual([1, 3]);
  });

  it('gives device features: 0 for an unseen device, the other users for a shared one, unknown without a device', () => {
    const user = userKind.init();
    const now = T0 + 5 * DAY;
    const index = featureNames('login').indexOf('device_other_users_30d');
    const shared = fold(deviceKind, [deviceUse('a', T0, 'u7'), deviceUse('b', T0 + DAY, 'u8'), deviceUse('c', T0 + 2 * DAY, 'u1')]).state;
    expect(featuresFrom('login', now, user, { deviceState: deviceKind.init() })[index]).toBe(0);
    expect(featuresFrom('login', now, user, { deviceState: shared })[index]).toBe(2); // u1 is the user scored
    expect(featuresFrom('login', now, user)[index]).toBeNaN();
  });

  it('counts fraud labels of its events from the time each became known, the latest label of an event winning', () => {
    const index = featureNames('login').indexOf('device_fraud_labels_30d');
    const user = userKind.init();
    const records = [deviceUse('a', T0, 'u7'), deviceUse('b', T0 + HOUR, 'u8'), label('a', T0 + DAY, true), label('b', T0 + 2 * DAY, true)];
    const { state, applied } = fold(deviceKind, records);
    expect(applied).toEqual([true, true, true, true]);
    const at = (now: number) => featuresFrom('login', now, user, { deviceState: state })[index];
    expect(at(T0 + DAY - 1)).toBe(0); // before the first label was known
    expect(at(T0 + DAY)).toBe(1);
    expect(at(T0 + 2 * DAY)).toBe(2);
    expect(at(T0 + DAY + 30 * DAY)).toBe(1); // a's label is older than 30 days by then
    expect(featuresFrom('login', T0 + 2 * DAY, user)[index]).toBeNaN();
    // The same labels again change nothing; a correction does.
    const once = deviceKind.encode(state);
    for (const r of records.slice(2)) expect(deviceKind.apply(state, r)).toBe(false);
    expect(deviceKind.encode(state)).toBe(once);
    expect(deviceKind.apply(state, label('b', T0 + 3 * DAY, false))).toBe(true);
    expect(at(T0 + 3 * DAY)).toBe(1);
  });

  it('forgets labels that leave the window and refuses them when they come again', () => {
    const { state } = fold(deviceKind, [deviceUse('a', T0, 'u7'), label('a', T0 + HOUR, true), deviceUse('b', T0 + HOUR + DEVICE_WINDOW_MS + DAY, 'u8')]);
    expect(state.labels.size).toBe(0);
    const after = deviceKind.encode(state);
    expect(deviceKind.apply(state, label('a', T0 + HOUR, true))).toBe(false);
    expect(deviceKind.encode(state)).toBe(after);
  });

  it('round-trips through encode/decode to identical features', () => {
    const { state } = fold(deviceKind, [deviceUse('a', T0, 'u2'), deviceUse('b', T0 + HOUR, 'u3'), label('a', T0 + HOUR, true), deviceUse('c', T0 + 2 * HOUR, 'u2')]);
    const decoded = deviceKind.decode(deviceKind.encode(state));
    expect(deviceKind.encode(decoded)).toBe(deviceKind.encode(state));
    const user = userKind.init();
    const now = T0 + 3 * HOUR;
    for (const type of ['login', 'withdrawal'] as const) {
      expect(bytesOf(featuresFrom(type, now, user, { deviceState: decoded }))).toEqual(bytesOf(featuresFrom(type, now, user, { deviceState: state })));
    }
  });
});
