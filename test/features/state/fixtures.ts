import { computeFeatures, newFeatureCache, type FeatureInput, type ScoredEventType } from '../../../features/definitions';
import type { AddressRecord, DeviceRecord, IpRecord, UserRecord } from '../../../features/records';
import type { AddressState } from '../../../features/state/address-state';
import type { DeviceState } from '../../../features/state/device-state';
import type { EntityKind } from '../../../features/state/entity-kind';
import type { IpState } from '../../../features/state/ip-state';
import type { UserState } from '../../../features/state/user-state';
import { clearLocations, openLocated } from '../../../features/location-cipher';
import { localHour } from '../../../features/transforms/geo';
import { DAY } from '../../../features/transforms/time';

/** Midnight UTC, 1 March 2026: the start of every test's clock. */
export const T0 = Date.UTC(2026, 2, 1);
export { DAY };

type LoginRecord = Extract<UserRecord, { k: 'login' }>;

/** A successful login from Berlin, with the local hour and location the pipeline would derive from `lat`/`lon`. */
export function login(id: string, ts: number, extra: Partial<Omit<LoginRecord, 'hour' | 'loc'>> & { lat?: number; lon?: number } = {}): UserRecord {
  const { lat, lon, ...record } = { k: 'login' as const, id, ts, ok: true, dev: 'dev-1', ip: '198.51.100.7', net: '198.51.100.0/24', ctry: 'DE', lat: 52.52, lon: 13.405, ...extra };
  return { ...record, hour: localHour(ts, lon), loc: lat !== undefined && lon !== undefined ? clearLocations.seal(lat, lon) : undefined };
}

export const withdrawal = (id: string, ts: number, extra: Partial<Extract<UserRecord, { k: 'wd' }>> = {}): UserRecord => ({
  k: 'wd',
  id,
  ts,
  usd: 250,
  addr: '0x00000000000000000000000000000000000000aa',
  hour: 12,
  ...extra,
});

export const label = (id: string, ts: number, fraud: boolean) => ({ k: 'label' as const, id, ts, fraud });

export const ipAttempt = (id: string, ts: number, user = 'u1', ok = true): IpRecord => ({ k: 'login', id, ts, user, ok });

export const deviceUse = (id: string, ts: number, user = 'u1'): DeviceRecord => ({ k: 'use', id, ts, user });

export const send = (id: string, ts: number, user = 'u1', usd = 100): AddressRecord => ({ k: 'wd', id, ts, user, usd });

/** Folds records into a fresh state, returning it and what each `apply` answered. */
export function fold<S, R>(kind: EntityKind<S, R>, records: readonly R[]): { state: S; applied: boolean[] } {
  const state = kind.init();
  const applied = records.map((r) => kind.apply(state, r));
  return { state, applied };
}

/** The feature vector of an event scored against these states, as the pipeline would compute it. */
export function featuresFrom(
  type: ScoredEventType,
  now: number,
  user: UserState,
  other: { ipState?: IpState; addressState?: AddressState; deviceState?: DeviceState } = {},
): Float64Array {
  const input: FeatureInput = {
    type,
    now,
    userId: 'u1',
    dev: 'dev-1',
    ip: '198.51.100.7',
    net: '198.51.100.0/24',
    ipv6: false,
    country: 'DE',
    lat: 48.8566,
    lon: 2.3522,
    success: type === 'login' ? true : undefined,
    mfa: undefined,
    usd: type === 'withdrawal' ? 1200 : undefined,
    address: type === 'withdrawal' ? '0x00000000000000000000000000000000000000aa' : undefined,
    denyList: undefined,
    user,
    lastLocated: user.lastLocated && openLocated(clearLocations, user.lastLocated),
    ipState: other.ipState,
    addressState: other.addressState,
    deviceState: other.deviceState,
    cache: newFeatureCache(),
  };
  return computeFeatures(input);
}

export { bytesOf, canonical } from '../compare';
