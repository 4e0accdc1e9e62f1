import { featureNames } from '../../../features/definitions';
import { ADDRESS_WINDOW_MS, addressKind, MAX_ADDRESS_SEEN, MAX_ADDRESS_SENDS } from '../../../features/state/address-state';
import { userKind } from '../../../features/state/user-state';
import { HOUR, MINUTE } from '../../../features/transforms/time';
import { bytesOf, DAY, featuresFrom, fold, label, send, T0 } from './fixtures';

const names = featureNames('withdrawal');
const feature = (v: Float64Array, name: string) => v[names.indexOf(name)];

describe('address state', () => {
  it('applies a withdrawal and a label once each', () => {
    const { state } = fold(addressKind, [send('w1', T0), send('w2', T0 + HOUR, 'u2'), label('w1', T0 + DAY, true)]);
    const once = addressKind.encode(state);
    expect(addressKind.apply(state, send('w2', T0 + HOUR, 'u2'))).toBe(false);
    expect(addressKind.apply(state, label('w1', T0 + DAY, true))).toBe(false);
    expect(addressKind.encode(state)).toBe(once);
    expect(state.total).toBe(2);
  });

  it('lets a later legit label correct a fraud label in the fraud share', () => {
    const { state } = fold(addressKind, [send('w1', T0, 'u1'), send('w2', T0 + HOUR, 'u2'), label('w1', T0 + DAY, true)]);
    const now = T0 + 3 * DAY;
    const user = userKind.init();
    expect(feature(featuresFrom('withdrawal', now, user, { addressState: state }), 'addr_fraud_share_7d')).toBe(1 / 2);
    addressKind.apply(state, label('w1', T0 + 2 * DAY, false));
    const after = featuresFrom('withdrawal', now, user, { addressState: state });
    expect(feature(after, 'addr_fraud_share_7d')).toBe(0);
    expect(feature(after, 'addr_fraud_labels_30d')).toBe(0);
  });

  it('keeps 30 days of withdrawals (and all-time totals), in time order', () => {
    const { state } = fold(addressKind, [
      send('w1', T0, 'u1'),
      send('w3', T0 + 2 * DAY, 'u3'),
      send('w2', T0 + DAY, 'u2'), // late
      send('w4', T0 + ADDRESS_WINDOW_MS + DAY, 'u4'),
    ]);
    expect(state.ts).toEqual([T0 + 2 * DAY, T0 + ADDRESS_WINDOW_MS + DAY]);
    expect(state.users).toEqual(['u3', 'u4']);
    expect(state.ids).toEqual(['w3', 'w4']);
    expect(state.total).toBe(4);
    expect(state.first).toBe(T0);
  });

  it(`keeps at most ${MAX_ADDRESS_SENDS} withdrawals (a hot wallet receives from everyone)`, () => {
    const records = Array.from({ length: MAX_ADDRESS_SENDS + 5 }, (_, i) => send(`w${i}`, T0 + i * MINUTE, `u${i}`));
    const { state } = fold(addressKind, records);
    expect(state.ts).toHaveLength(MAX_ADDRESS_SENDS);
    expect(state.ids[0]).toBe('w5');
    expect(state.total).toBe(MAX_ADDRESS_SENDS + 5);
  });

  it('stays bounded when a hot wallet receives a flood, counting each withdrawal once', () => {
    const records = Array.from({ length: 3 * MAX_ADDRESS_SEEN }, (_, i) => send(`w${i}`, T0 + i * 1000, `u${i % 500}`));
    const { state, applied } = fold(addressKind, records);
    expect(applied.every(Boolean)).toBe(true);
    expect(state.seen.size).toBe(MAX_ADDRESS_SEEN);
    expect(state.total).toBe(records.length);
    const once = addressKind.encode(state);
    for (const r of [records[0], records[MAX_ADDRESS_SEEN], records[records.length - 1]]) expect(addressKind.apply(state, r as (typeof records)[number])).toBe(false);
    expect(addressKind.encode(state)).toBe(once);
  });

  it('round-trips through encode/decode to identical withdrawal features', () => {
    const { state } = fold(addressKind, [send('w1', T0, 'u1'), send('w2', T0 + HOUR, 'u2'), label('w2', T0 + 2 * HOUR, true), send('w3', T0 + DAY, 'u1')]);
    const decoded = addressKind.decode(addressKind.encode(state));
    expect(addressKind.encode(decoded)).toBe(addressKind.encode(state));
    expect(addressKind.decode(addressKind.encode(addressKind.init())).latest).toBe(-Infinity);
    const user = userKind.init();
    const now = T0 + 2 * DAY;
    const v = featuresFrom('withdrawal', now, user, { addressState: decoded });
    expect(bytesOf(v)).toEqual(bytesOf(featuresFrom('withdrawal', now, user, { addressState: state })));
    expect(feature(v, 'addr_distinct_users_7d')).toBe(2);
    expect(feature(v, 'addr_fraud_share_7d')).toBe(1 / 3);
  });
});
