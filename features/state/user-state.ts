import type { AccountChange } from '../../data/schemas';
import type { StoredLocation } from '../location-cipher';
import type { UserRecord } from '../records';
import { addAmount, emptyAmountStats, type AmountStats } from '../transforms/amounts';
import { localHour } from '../transforms/geo';
import { DAY } from '../transforms/time';
import {
  applyLabel,
  decodeTime,
  deleteOldest,
  deleteUpTo,
  dropUpTo,
  encodeTime,
  entriesToMap,
  insertAt,
  keepLast,
  mapToEntries,
  markSeen,
  pruneSeen,
  sortedIndex,
  type EntityKind,
  type SeenIds,
} from './entity-kind';

/** First and last time (ms) a value (device, IP, network, country, address) was seen for the user. */
export type Seen = [first: number, last: number];

/** Everything Vigil remembers about one user: the baselines their features are measured against. */
export interface UserState extends SeenIds {
  /** Time of the user's first event, ms. */
  first: number | undefined;
  /**
   * Login attempts of the last {@link LOGIN_WINDOW_MS} (the newest {@link MAX_WINDOW_ENTRIES}), ascending, with
   * 1 = success, 0 = failure.
   */
  loginTs: number[];
  loginOk: number[];
  /** Time of the previous login attempt of any outcome. */
  lastAttempt: number | undefined;
  /** Known values from successful logins. */
  devices: Map<string, Seen>;
  ips: Map<string, Seen>;
  nets: Map<string, Seen>;
  countries: Map<string, Seen>;
  /** Successful logins per local hour of day (24 counters). */
  hours: number[];
  /** The last successful login and what was new about it when it happened. */
  lastLogin: { ts: number; devNew: boolean; ctryNew: boolean; ipNew: boolean } | undefined;
  /** The last successful login with a location. */
  lastLocated: { ts: number; loc: StoredLocation } | undefined;
  /** Withdrawals of the last {@link WITHDRAWAL_WINDOW_MS}, ascending; USD NaN when unknown. */
  wdTs: number[];
  wdUsd: number[];
  /** Withdrawals per local hour of day. */
  wdHours: number[];
  /** All-time statistics of withdrawal amounts (USD). */
  amounts: AmountStats;
  /** Destination addresses: first and last use, and number of withdrawals to each. */
  dests: Map<string, [first: number, last: number, count: number]>;
  /** Time of the last account change of each kind, and all changes of the last week (ascending). */
  lastChange: Partial<Record<AccountChange, number>>;
  changeTs: number[];
  /** Labels of this user's events: event id → [time the label became known, 1 fraud / 0 legit]. */
  labels: Map<string, [ts: number, fraud: number]>;
}

export const LOGIN_WINDOW_MS = 7 * DAY;
export const WITHDRAWAL_WINDOW_MS = 30 * DAY;
const CHANGE_WINDOW_MS = 7 * DAY;
/** Known values unused this long are forgotten. */
const KNOWN_RETENTION_MS = 365 * DAY;
/** At most this many known values per kind: the least recently seen goes first. */
const MAX_KNOWN = 128;
const MAX_LABELS = 256;
/**
 * At most this many login attempts, withdrawals and account changes are kept in their windows, and twice as many event
 * ids are remembered (see markSeen): a brute-force attack on one account can make thousands of attempts an hour, and
 * the user's state, read on every one of their events, must stay small. Counts saturate at this value.
 */
export const MAX_WINDOW_ENTRIES = 2000;
const MAX_USER_SEEN = 2 * MAX_WINDOW_ENTRIES;

/** When a known value was last seen: what ages it out. */
const lastSeen = (v: readonly number[]): number => v[1] as number;

function touch(map: Map<string, Seen>, key: string, ts: number): boolean {
  const seen = map.get(key);
  if (seen) {
    if (ts > seen[1]) seen[1] = ts;
    if (ts < seen[0]) seen[0] = ts;
    return false;
  }
  map.set(key, [ts, ts]);
  if (map.size > MAX_KNOWN) deleteOldest(map, lastSeen);
  return true;
}

export const userKind: EntityKind<UserState, UserRecord> = {
  name: 'u',
  ttlMs: 400 * DAY,
  init: () => ({
    first: undefined,
    latest: -Infinity,
    seen: new Map(),
    seenFloor: -Infinity,
    loginTs: [],
    loginOk: [],
    lastAttempt: undefined,
    devices: new Map(),
    ips: new Map(),
    nets: new Map(),
    countries: new Map(),
    hours: new Array<number>(24).fill(0),
    lastLogin: undefined,
    lastLocated: undefined,
    wdTs: [],
    wdUsd: [],
    wdHours: new Array<number>(24).fill(0),
    amounts: emptyAmountStats(),
    dests: new Map(),
    lastChange: {},
    changeTs: [],
    labels: new Map(),
  }),

  apply(s, r) {
    if (r.k === 'label') {
      if (!applyLabel(s.labels, r.id, r.ts, r.fraud, MAX_LABELS)) return false;
      s.latest = Math.max(s.latest, r.ts);
      return true;
    }
    if (!markSeen(s, r.id, r.ts, MAX_USER_SEEN)) return false;
    const ts = r.ts;
    if (s.first === undefined || ts < s.first) s.first = ts;
    switch (r.k) {
      case 'login': {
        const i = sortedIndex(s.loginTs, ts);
        insertAt(s.loginTs, i, ts);
        insertAt(s.loginOk, i, r.ok ? 1 : 0);
        if (s.lastAttempt === undefined || ts > s.lastAttempt) s.lastAttempt = ts;
        if (!r.ok) break;
        const devNew = touch(s.devices, r.dev, ts);
        const ipNew = touch(s.ips, r.ip, ts);
        touch(s.nets, r.net, ts);
        const ctryNew = r.ctry === undefined ? false : touch(s.countries, r.ctry, ts);
        s.hours[r.hour ?? legacyHour(ts, r as LegacyLocated)]! += 1;
        if (!s.lastLogin || ts >= s.lastLogin.ts) s.lastLogin = { ts, devNew, ctryNew, ipNew };
        const loc = r.loc ?? legacyLocation(r as LegacyLocated);
        if (loc !== undefined && (!s.lastLocated || ts >= s.lastLocated.ts)) s.lastLocated = { ts, loc };
        break;
      }
      case 'wd': {
        const i = sortedIndex(s.wdTs, ts);
        insertAt(s.wdTs, i, ts);
        insertAt(s.wdUsd, i, r.usd ?? Number.NaN);
        s.wdHours[r.hour]! += 1;
        if (r.usd !== undefined) addAmount(s.amounts, r.usd);
        const d = s.dests.get(r.addr);
        if (d) {
          d[0] = Math.min(d[0], ts);
          d[1] = Math.max(d[1], ts);
          d[2] += 1;
        } else {
          s.dests.set(r.addr, [ts, ts, 1]);
          if (s.dests.size > MAX_KNOWN) deleteOldest(s.dests, lastSeen);
        }
        break;
      }
      case 'change': {
        const before = s.lastChange[r.change];
        if (before === undefined || ts > before) s.lastChange[r.change] = ts;
        insertAt(s.changeTs, sortedIndex(s.changeTs, ts), ts);
        break;
      }
    }
    // On every event, not only those that move the clock: a flood may carry one timestamp.
    keepLast(MAX_WINDOW_ENTRIES, s.loginTs, s.loginOk);
    keepLast(MAX_WINDOW_ENTRIES, s.wdTs, s.wdUsd);
    keepLast(MAX_WINDOW_ENTRIES, s.changeTs);
    if (ts > s.latest) {
      const dayChanged = Math.floor(ts / DAY) !== Math.floor(s.latest / DAY);
      s.latest = ts;
      prune(s, dayChanged);
    }
    return true;
  },

  encode: (s) =>
    JSON.stringify({
      ...s,
      latest: encodeTime(s.latest),
      seen: mapToEntries(s.seen),
      seenFloor: encodeTime(s.seenFloor),
      devices: mapToEntries(s.devices),
      ips: mapToEntries(s.ips),
      nets: mapToEntries(s.nets),
      countries: mapToEntries(s.countries),
      dests: mapToEntries(s.dests),
      labels: mapToEntries(s.labels),
      // NaN (unknown USD) is not JSON: null stands for it.
      wdUsd: s.wdUsd.map((v) => (Number.isNaN(v) ? null : v)),
    }),

  decode(text) {
    const o = JSON.parse(text);
    return {
      ...o,
      latest: decodeTime(o.latest),
      seen: entriesToMap(o.seen),
      seenFloor: decodeTime(o.seenFloor),
      devices: entriesToMap(o.devices),
      ips: entriesToMap(o.ips),
      nets: entriesToMap(o.nets),
      countries: entriesToMap(o.countries),
      dests: entriesToMap(o.dests),
      labels: entriesToMap(o.labels),
      wdUsd: (o.wdUsd as (number | null)[]).map((v) => v ?? Number.NaN),
      lastLocated: o.lastLocated && { ts: o.lastLocated.ts, loc: o.lastLocated.loc ?? legacyLocation(o.lastLocated) },
    } as UserState;
  },
};

/**
 * Login records and snapshots stored in Redis before locations were sealed hold `lat` and `lon` in clear, and such
 * records no local hour: they are read as they were meant (and sealed when next written by a located login).
 */
interface LegacyLocated {
  lat?: number;
  lon?: number;
}
const legacyLocation = (r: LegacyLocated): StoredLocation | undefined => (r.lat !== undefined && r.lon !== undefined ? [r.lat, r.lon] : undefined);
const legacyHour = (ts: number, r: LegacyLocated): number => localHour(ts, r.lon);

function prune(s: UserState, dayChanged: boolean): void {
  const t = s.latest;
  pruneSeen(s.seen, t);
  dropUpTo(t - LOGIN_WINDOW_MS, s.loginTs, s.loginOk);
  dropUpTo(t - WITHDRAWAL_WINDOW_MS, s.wdTs, s.wdUsd);
  dropUpTo(t - CHANGE_WINDOW_MS, s.changeTs);
  // Known values age out over a year: scanning them once per day of event time is enough.
  if (dayChanged) {
    const cutoff = t - KNOWN_RETENTION_MS;
    deleteUpTo(s.devices, cutoff, lastSeen);
    deleteUpTo(s.ips, cutoff, lastSeen);
    deleteUpTo(s.nets, cutoff, lastSeen);
    deleteUpTo(s.countries, cutoff, lastSeen);
    deleteUpTo(s.dests, cutoff, lastSeen);
  }
}
