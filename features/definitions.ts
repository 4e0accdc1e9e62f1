import type { AddressState } from './state/address-state';
import { otherUsersInWindows, type DeviceState } from './state/device-state';
import type { IpState } from './state/ip-state';
import type { UserState } from './state/user-state';
import { amountMean, amountStd, amountZScore, logAmount, ratioToMax } from './transforms/amounts';
import { distinctInWindows, fraudLabelsKnown, fraudShareInWindow } from './transforms/distinct';
import { haversineKm, localHour, travelSpeedKmh } from './transforms/geo';
import { hourUsualness } from './transforms/habits';
import { countInWindow, countsAndSumsInWindows, countSeenSince, countsInWindows, DAY, elapsed, HOUR, latestInWindow, MINUTE } from './transforms/time';

/**
 * The feature set: the only place a feature is declared. The offline training-set builder and the online scorer
 * both compute vectors from these definitions, in this order; a model's manifest lists the names it was trained on
 * with {@link FEATURE_SET_VERSION}. Bump the version whenever a definition's meaning changes.
 *
 * Unknown is NaN, never 0: a user with no previous login has an unknown distance from it, not a distance of 0 km.
 */
export const FEATURE_SET_VERSION = 'v3';

export type ScoredEventType = 'login' | 'withdrawal';
export const SCORED_EVENT_TYPES: readonly ScoredEventType[] = ['login', 'withdrawal'];

/** What a feature is computed from: the event and the states of its entities *before* the event. */
export interface FeatureInput {
  type: ScoredEventType;
  /** Event time, ms. */
  now: number;
  userId: string;
  /** Pseudonymised device, IP and network, as they are stored in state; undefined when the event has none. */
  dev: string | undefined;
  ip: string | undefined;
  net: string | undefined;
  ipv6: boolean | undefined;
  country: string | undefined;
  lat: number | undefined;
  lon: number | undefined;
  /** Login outcome and MFA use (logins only). */
  success: boolean | undefined;
  mfa: boolean | undefined;
  /** Withdrawal amount in USD, when known. */
  usd: number | undefined;
  /** Normalised destination address (withdrawals only). */
  address: string | undefined;
  /** Name of the deny list the destination is on, if any. */
  denyList: string | undefined;
  user: UserState;
  /** The user's last located successful login (`user.lastLocated`, opened), if any. */
  lastLocated: { ts: number; lat: number; lon: number } | undefined;
  ipState: IpState | undefined;
  addressState: AddressState | undefined;
  /** The device across users; undefined when the event names no device. */
  deviceState: DeviceState | undefined;
  /** Values several features share, computed once per event (see {@link newFeatureCache}). */
  cache: FeatureCache;
}

/** Results of one scan that several features read: each is filled by the first feature that needs it. */
export interface FeatureCache {
  /** Login attempts, then failed ones, per {@link LOGIN_WINDOWS} window. */
  logins: readonly number[] | undefined;
  /** Withdrawal counts, then USD sums, per {@link WITHDRAWAL_WINDOWS} window. */
  withdrawals: readonly number[] | undefined;
  /** Distinct destinations used in 30 days, and destinations first used in 7 days. */
  dests: readonly number[] | undefined;
  addressSenders: readonly number[] | undefined;
  ipUsers: readonly number[] | undefined;
  deviceUsers: readonly number[] | undefined;
}

/** Every field present from the start, so all caches share one shape. */
export const newFeatureCache = (): FeatureCache => ({ logins: undefined, withdrawals: undefined, dests: undefined, addressSenders: undefined, ipUsers: undefined, deviceUsers: undefined });

export interface FeatureDefinition {
  /** Stable snake_case name: CSV column, ONNX input position and reason-code key at once. */
  name: string;
  /** Whose state it reads: the user, the IP, the device or the destination address across users, or the event. */
  entity: 'user' | 'ip' | 'device' | 'address' | 'event';
  /** The event types it is computed for (it is NaN in other rows of a mixed training set). */
  types: readonly ScoredEventType[];
  /** Look-back window, when it has one. */
  window?: string;
  /** `count`, `flag` (0/1), `amount` (USD), `hours`, `days`, `km`, `kmh`, `ratio`, `score` or `hour`. */
  unit: 'count' | 'flag' | 'amount' | 'hours' | 'days' | 'km' | 'kmh' | 'ratio' | 'score' | 'hour';
  description: string;
  value: (c: FeatureInput) => number;
}

const BOTH: readonly ScoredEventType[] = ['login', 'withdrawal'];
const LOGIN: readonly ScoredEventType[] = ['login'];
const WITHDRAWAL: readonly ScoredEventType[] = ['withdrawal'];

const flag = (b: boolean | undefined): number => (b === undefined ? Number.NaN : b ? 1 : 0);

const WINDOWS_30D = [DAY, 7 * DAY, 30 * DAY];
const WINDOWS_24H = [HOUR, 24 * HOUR];
/** What an entity without state gives for those windows (shared: cached results are only read). */
const NO_SENDERS: readonly number[] = [0, 0, 0];
const NO_USERS: readonly number[] = [0, 0];
const WINDOWS_DEVICE = [DAY, 30 * DAY];
const UNKNOWN_DEVICE_USERS: readonly number[] = [Number.NaN, Number.NaN];

/** Distinct senders to the destination over 1, 7 and 30 days: three features from one scan, computed once. */
function addressSenders(c: FeatureInput): readonly number[] {
  if (!c.cache.addressSenders) {
    const a = c.addressState;
    c.cache.addressSenders = a ? distinctInWindows(a.ts, a.users, c.now, WINDOWS_30D) : NO_SENDERS;
  }
  return c.cache.addressSenders;
}

/** Distinct users of the IP over 1 and 24 hours, computed once. */
function ipUsers(c: FeatureInput): readonly number[] {
  if (!c.cache.ipUsers) {
    const s = c.ipState;
    c.cache.ipUsers = s ? distinctInWindows(s.ts, s.users, c.now, WINDOWS_24H) : NO_USERS;
  }
  return c.cache.ipUsers;
}

/**
 * Other users of the device over 1 and 30 days, computed once; unknown when the event names no device. A device never
 * seen has state with no users (the store hands over a fresh state), so it gives 0.
 */
function deviceUsers(c: FeatureInput): readonly number[] {
  if (!c.cache.deviceUsers) c.cache.deviceUsers = c.deviceState ? otherUsersInWindows(c.deviceState, c.userId, c.now, WINDOWS_DEVICE) : UNKNOWN_DEVICE_USERS;
  return c.cache.deviceUsers;
}

function known(map: Map<string, [number, number]>, key: string | undefined): number {
  return key === undefined ? Number.NaN : map.has(key) ? 1 : 0;
}

const LOGIN_WINDOWS = ['15m', '1h', '24h', '7d'] as const;
const LOGIN_WINDOW_MS = [15 * MINUTE, HOUR, 24 * HOUR, 7 * DAY];

/** Login attempts and failed attempts over 15 min, 1 h, 24 h and 7 days: eight features from one scan. */
function loginCounts(c: FeatureInput): readonly number[] {
  return (c.cache.logins ??= countsInWindows(c.user.loginTs, c.now, LOGIN_WINDOW_MS, c.user.loginOk, 0));
}

function loginWindow(window: (typeof LOGIN_WINDOWS)[number], i: number): FeatureDefinition[] {
  return [
    {
      name: `user_logins_${window}`,
      entity: 'user',
      types: BOTH,
      window,
      unit: 'count',
      description: `Login attempts by the user in the last ${window}.`,
      value: (c) => loginCounts(c)[i] as number,
    },
    {
      name: `user_failed_logins_${window}`,
      entity: 'user',
      types: BOTH,
      window,
      unit: 'count',
      description: `Failed login attempts by the user in the last ${window}.`,
      value: (c) => loginCounts(c)[LOGIN_WINDOWS.length + i] as number,
    },
  ];
}

const WITHDRAWAL_WINDOWS = ['1h', '24h', '7d', '30d'] as const;
const WITHDRAWAL_WINDOW_MS = [HOUR, 24 * HOUR, 7 * DAY, 30 * DAY];

/** Withdrawal counts and USD sums over 1 h, 24 h, 7 and 30 days: eight features from one scan. */
function withdrawalSums(c: FeatureInput): readonly number[] {
  return (c.cache.withdrawals ??= countsAndSumsInWindows(c.user.wdTs, c.user.wdUsd, c.now, WITHDRAWAL_WINDOW_MS));
}

function withdrawalWindow(window: (typeof WITHDRAWAL_WINDOWS)[number], i: number): FeatureDefinition[] {
  return [
    {
      name: `user_wd_count_${window}`,
      entity: 'user',
      types: BOTH,
      window,
      unit: 'count',
      description: `Withdrawals by the user in the last ${window}.`,
      value: (c) => withdrawalSums(c)[i] as number,
    },
    {
      name: `user_wd_usd_${window}`,
      entity: 'user',
      types: WITHDRAWAL,
      window,
      unit: 'amount',
      description: `USD withdrawn by the user in the last ${window} (withdrawals of unknown value count as 0).`,
      value: (c) => withdrawalSums(c)[WITHDRAWAL_WINDOWS.length + i] as number,
    },
  ];
}

/** Distinct destinations of the last 30 days and destinations first used in the last 7: one pass over them. */
function destCounts(c: FeatureInput): readonly number[] {
  if (!c.cache.dests) {
    const from30 = c.now - 30 * DAY;
    const from7 = c.now - 7 * DAY;
    let recent = 0;
    let fresh = 0;
    for (const d of c.user.dests.values()) {
      if (d[1] > from30 && d[1] <= c.now) recent++;
      if (d[0] > from7 && d[0] <= c.now) fresh++;
    }
    c.cache.dests = [recent, fresh];
  }
  return c.cache.dests;
}

const CHANGE_FEATURES: FeatureDefinition[] = (
  ['password_reset', 'mfa_reset', 'email_change', 'api_key_created', 'address_whitelisted'] as const
).map((change) => ({
  name: `hours_since_${change}`,
  entity: 'user',
  types: BOTH,
  unit: 'hours',
  description: `Hours since the user's last ${change.replace(/_/g, ' ')} (unknown if never).`,
  value: (c: FeatureInput) => elapsed(c.now, c.user.lastChange[change], HOUR),
}));

export const FEATURES: readonly FeatureDefinition[] = [
  // The event itself.
  { name: 'login_success', entity: 'event', types: LOGIN, unit: 'flag', description: 'The login succeeded.', value: (c) => flag(c.success) },
  { name: 'login_mfa', entity: 'event', types: LOGIN, unit: 'flag', description: 'The login used MFA (unknown if not reported).', value: (c) => flag(c.mfa) },
  { name: 'ip_is_v6', entity: 'event', types: BOTH, unit: 'flag', description: 'The request came over IPv6 (unknown without an IP).', value: (c) => flag(c.ipv6) },
  {
    name: 'local_hour',
    entity: 'event',
    types: BOTH,
    unit: 'hour',
    description: 'Hour of day at the event, local solar time from the longitude (UTC when unknown).',
    value: (c) => localHour(c.now, c.lon),
  },
  {
    name: 'amount_usd',
    entity: 'event',
    types: WITHDRAWAL,
    unit: 'amount',
    description: 'Withdrawal amount in USD (unknown when the event has no amountUsd).',
    value: (c) => c.usd ?? Number.NaN,
  },

  // The user's logins: velocity and history.
  ...LOGIN_WINDOWS.flatMap(loginWindow),
  {
    name: 'user_login_history',
    entity: 'user',
    types: BOTH,
    unit: 'count',
    description: 'Successful logins the user has made (the size of their baseline).',
    value: (c) => {
      let n = 0;
      for (const h of c.user.hours) n += h;
      return n;
    },
  },
  {
    name: 'account_age_days',
    entity: 'user',
    types: BOTH,
    unit: 'days',
    description: "Days since the user's first event (unknown for a first event).",
    value: (c) => elapsed(c.now, c.user.first, DAY),
  },
  {
    name: 'hours_since_prev_login',
    entity: 'user',
    types: LOGIN,
    unit: 'hours',
    description: 'Hours since the previous login attempt of any outcome.',
    value: (c) => elapsed(c.now, c.user.lastAttempt, HOUR),
  },

  // Devices, networks and places against the user's own.
  { name: 'device_known', entity: 'user', types: BOTH, unit: 'flag', description: 'The device has logged in successfully before.', value: (c) => known(c.user.devices, c.dev) },
  {
    name: 'device_age_days',
    entity: 'user',
    types: BOTH,
    unit: 'days',
    description: "Days since the device's first successful login (unknown if new).",
    value: (c) => (c.dev === undefined ? Number.NaN : elapsed(c.now, c.user.devices.get(c.dev)?.[0], DAY)),
  },
  { name: 'ip_known', entity: 'user', types: BOTH, unit: 'flag', description: 'The IP has been used for a successful login before.', value: (c) => known(c.user.ips, c.ip) },
  {
    name: 'network_known',
    entity: 'user',
    types: BOTH,
    unit: 'flag',
    description: 'The /24 (IPv4) or /48 (IPv6) network has been used for a successful login before.',
    value: (c) => known(c.user.nets, c.net),
  },
  { name: 'country_known', entity: 'user', types: BOTH, unit: 'flag', description: 'The country has been seen in a successful login before.', value: (c) => known(c.user.countries, c.country) },
  ...(['devices', 'ips', 'nets', 'countries'] as const).map(
    (kind): FeatureDefinition => ({
      name: `user_distinct_${kind === 'nets' ? 'networks' : kind}_30d`,
      entity: 'user',
      types: BOTH,
      window: '30d',
      unit: 'count',
      description: `Distinct ${kind === 'nets' ? 'networks' : kind} in the user's successful logins of the last 30 days.`,
      value: (c) => countSeenSince(c.user[kind].values(), c.now, 30 * DAY),
    }),
  ),
  {
    name: 'geo_distance_km',
    entity: 'user',
    types: BOTH,
    unit: 'km',
    description: 'Distance from the last located successful login (unknown without both locations).',
    value: (c) => {
      const last = c.lastLocated;
      return last && c.lat !== undefined && c.lon !== undefined ? haversineKm(last.lat, last.lon, c.lat, c.lon) : Number.NaN;
    },
  },
  {
    name: 'geo_speed_kmh',
    entity: 'user',
    types: BOTH,
    unit: 'kmh',
    description: 'Travel speed implied by that distance and the time since (impossible travel when far above airliner speed).',
    value: (c) => {
      const last = c.lastLocated;
      if (!last || c.lat === undefined || c.lon === undefined) return Number.NaN;
      return travelSpeedKmh(haversineKm(last.lat, last.lon, c.lat, c.lon), c.now - last.ts);
    },
  },
  {
    name: 'login_hour_usualness',
    entity: 'user',
    types: BOTH,
    unit: 'score',
    description: "How usual this local hour is among the user's successful logins (1 = uniform, 0 = never; unknown without history).",
    value: (c) => hourUsualness(c.user.hours, localHour(c.now, c.lon)),
  },

  // Across users: the IP.
  {
    name: 'ip_attempts_1h',
    entity: 'ip',
    types: LOGIN,
    window: '1h',
    unit: 'count',
    description: 'Login attempts from this IP by any user in the last hour.',
    value: (c) => (c.ipState ? countInWindow(c.ipState.ts, c.now, HOUR) : 0),
  },
  {
    name: 'ip_failed_logins_1h',
    entity: 'ip',
    types: LOGIN,
    window: '1h',
    unit: 'count',
    description: 'Failed login attempts from this IP by any user in the last hour (credential stuffing).',
    value: (c) => (c.ipState ? countInWindow(c.ipState.ts, c.now, HOUR, c.ipState.ok, 0) : 0),
  },
  {
    name: 'ip_distinct_users_1h',
    entity: 'ip',
    types: LOGIN,
    window: '1h',
    unit: 'count',
    description: 'Distinct users attempting logins from this IP in the last hour.',
    value: (c) => ipUsers(c)[0] as number,
  },
  {
    name: 'ip_distinct_users_24h',
    entity: 'ip',
    types: LOGIN,
    window: '24h',
    unit: 'count',
    description: 'Distinct users attempting logins from this IP in the last 24 hours.',
    value: (c) => ipUsers(c)[1] as number,
  },
  {
    name: 'ip_age_days',
    entity: 'ip',
    types: LOGIN,
    unit: 'days',
    description: 'Days since any user first logged in from this IP (unknown if never).',
    value: (c) => elapsed(c.now, c.ipState?.first, DAY),
  },

  // Across users: the device.
  ...(['1d', '30d'] as const).map(
    (window, i): FeatureDefinition => ({
      name: `device_other_users_${window}`,
      entity: 'device',
      types: BOTH,
      window,
      unit: 'count',
      description: `Other users who logged in or withdrew from this device in the last ${window} (a device is one person's; unknown without a device).`,
      value: (c) => deviceUsers(c)[i] as number,
    }),
  ),
  {
    name: 'device_fraud_labels_30d',
    entity: 'device',
    types: BOTH,
    window: '30d',
    unit: 'count',
    description: "Fraud labels on events from this device (any user's) that became known in the last 30 days (unknown without a device).",
    value: (c) => (c.deviceState ? fraudLabelsKnown(c.deviceState.labels, c.now, 30 * DAY) : Number.NaN),
  },

  // The user's withdrawals: velocity and amounts against their own history.
  ...WITHDRAWAL_WINDOWS.flatMap(withdrawalWindow),
  {
    name: 'user_wd_history',
    entity: 'user',
    types: WITHDRAWAL,
    unit: 'count',
    description: 'Withdrawals of known USD value the user has made (the size of their amount baseline).',
    value: (c) => c.user.amounts.n,
  },
  {
    name: 'amount_log_mean',
    entity: 'user',
    types: WITHDRAWAL,
    unit: 'score',
    description: "Mean of ln(1 + USD) over the user's previous withdrawals.",
    value: (c) => amountMean(c.user.amounts),
  },
  {
    name: 'amount_log_std',
    entity: 'user',
    types: WITHDRAWAL,
    unit: 'score',
    description: "Standard deviation of ln(1 + USD) over the user's previous withdrawals.",
    value: (c) => amountStd(c.user.amounts),
  },
  {
    name: 'amount_zscore',
    entity: 'user',
    types: WITHDRAWAL,
    unit: 'score',
    description: "z-score of this amount's ln(1 + USD) against the user's previous withdrawals.",
    value: (c) => (c.usd === undefined ? Number.NaN : amountZScore(c.user.amounts, c.usd)),
  },
  {
    name: 'amount_ratio_to_max',
    entity: 'user',
    types: WITHDRAWAL,
    unit: 'ratio',
    description: "This amount over the user's largest withdrawal before it.",
    value: (c) => (c.usd === undefined ? Number.NaN : ratioToMax(c.user.amounts, c.usd)),
  },
  {
    name: 'hours_since_prev_withdrawal',
    entity: 'user',
    types: WITHDRAWAL,
    unit: 'hours',
    description: "Hours since the user's previous withdrawal (unknown if none in 30 days).",
    // Not simply the last of wdTs: state is pruned against its own latest time, which a late event comes before
    // (a later withdrawal would give a negative value) and an idle user's next event long after (an older one).
    value: (c) => elapsed(c.now, latestInWindow(c.user.wdTs, c.now, 30 * DAY), HOUR),
  },
  {
    name: 'wd_hour_usualness',
    entity: 'user',
    types: WITHDRAWAL,
    unit: 'score',
    description: "How usual this local hour is among the user's withdrawals (unknown without history).",
    value: (c) => hourUsualness(c.user.wdHours, localHour(c.now, c.lon)),
  },

  // The destination against the user's own.
  {
    name: 'dest_known',
    entity: 'user',
    types: WITHDRAWAL,
    unit: 'flag',
    description: 'The user has withdrawn to this address before.',
    value: (c) => (c.address !== undefined && c.user.dests.has(c.address) ? 1 : 0),
  },
  {
    name: 'dest_uses',
    entity: 'user',
    types: WITHDRAWAL,
    unit: 'count',
    description: 'Previous withdrawals of the user to this address.',
    value: (c) => (c.address === undefined ? 0 : (c.user.dests.get(c.address)?.[2] ?? 0)),
  },
  {
    name: 'dest_age_days',
    entity: 'user',
    types: WITHDRAWAL,
    unit: 'days',
    description: "Days since the user's first withdrawal to this address (unknown if new).",
    value: (c) => (c.address === undefined ? Number.NaN : elapsed(c.now, c.user.dests.get(c.address)?.[0], DAY)),
  },
  {
    name: 'user_distinct_dests_30d',
    entity: 'user',
    types: WITHDRAWAL,
    window: '30d',
    unit: 'count',
    description: 'Distinct addresses the user withdrew to in the last 30 days.',
    value: (c) => destCounts(c)[0] as number,
  },

  {
    name: 'user_new_dests_7d',
    entity: 'user',
    types: WITHDRAWAL,
    window: '7d',
    unit: 'count',
    description: 'Addresses the user withdrew to for the first time in the last 7 days (drains spread over new addresses).',
    value: (c) => destCounts(c)[1] as number,
  },

  // The session behind a withdrawal.
  {
    name: 'hours_since_last_login',
    entity: 'user',
    types: WITHDRAWAL,
    unit: 'hours',
    description: "Hours since the user's last successful login (unknown if none).",
    value: (c) => elapsed(c.now, c.user.lastLogin?.ts, HOUR),
  },
  {
    name: 'last_login_new_device',
    entity: 'user',
    types: WITHDRAWAL,
    unit: 'flag',
    description: 'The last successful login came from a device new to the user.',
    value: (c) => flag(c.user.lastLogin?.devNew),
  },
  {
    name: 'last_login_new_country',
    entity: 'user',
    types: WITHDRAWAL,
    unit: 'flag',
    description: 'The last successful login came from a country new to the user.',
    value: (c) => flag(c.user.lastLogin?.ctryNew),
  },
  {
    name: 'last_login_new_ip',
    entity: 'user',
    types: WITHDRAWAL,
    unit: 'flag',
    description: 'The last successful login came from an IP new to the user.',
    value: (c) => flag(c.user.lastLogin?.ipNew),
  },

  // Account changes.
  ...CHANGE_FEATURES,
  {
    name: 'user_changes_7d',
    entity: 'user',
    types: BOTH,
    window: '7d',
    unit: 'count',
    description: 'Account changes (resets, new e-mail, API keys, whitelisted addresses) in the last 7 days.',
    value: (c) => countInWindow(c.user.changeTs, c.now, 7 * DAY),
  },

  // Labels the user's own events have received so far.
  {
    name: 'user_fraud_labels',
    entity: 'user',
    types: BOTH,
    unit: 'count',
    description: "The user's events labelled fraud, counting only labels known before this event.",
    value: (c) => fraudLabelsKnown(c.user.labels, c.now),
  },

  // Across users: the destination address.
  ...(['1d', '7d', '30d'] as const).map(
    (window, i): FeatureDefinition => ({
      name: `addr_distinct_users_${window}`,
      entity: 'address',
      types: WITHDRAWAL,
      window,
      unit: 'count',
      description: `Distinct users who withdrew to this address in the last ${window} (mules collect from many).`,
      value: (c) => addressSenders(c)[i] as number,
    }),
  ),
  {
    name: 'addr_age_days',
    entity: 'address',
    types: WITHDRAWAL,
    unit: 'days',
    description: 'Days since any user first withdrew to this address (unknown if never).',
    value: (c) => elapsed(c.now, c.addressState?.first, DAY),
  },
  {
    name: 'addr_total_withdrawals',
    entity: 'address',
    types: WITHDRAWAL,
    unit: 'count',
    description: 'Withdrawals to this address by any user so far.',
    value: (c) => c.addressState?.total ?? 0,
  },
  ...(['7d', '30d'] as const).map(
    (window): FeatureDefinition => ({
      name: `addr_fraud_share_${window}`,
      entity: 'address',
      types: WITHDRAWAL,
      window,
      unit: 'ratio',
      description: `Share of withdrawals to this address in the last ${window} labelled fraud by now (labels count from when they became known).`,
      value: (c) => (c.addressState ? fraudShareInWindow(c.addressState.ts, c.addressState.ids, c.addressState.labels, c.now, window === '7d' ? 7 * DAY : 30 * DAY) : Number.NaN),
    }),
  ),
  {
    name: 'addr_fraud_labels_30d',
    entity: 'address',
    types: WITHDRAWAL,
    window: '30d',
    unit: 'count',
    description: 'Fraud labels on withdrawals to this address that became known in the last 30 days.',
    value: (c) => (c.addressState ? fraudLabelsKnown(c.addressState.labels, c.now, 30 * DAY) : 0),
  },
  {
    name: 'addr_deny_listed',
    entity: 'address',
    types: WITHDRAWAL,
    unit: 'flag',
    description: 'The address is on a loaded deny list (sanctions, scam reports).',
    value: (c) => (c.denyList === undefined ? 0 : 1),
  },
  {
    name: 'log_amount_usd',
    entity: 'event',
    types: WITHDRAWAL,
    unit: 'score',
    description: 'ln(1 + amount in USD).',
    value: (c) => (c.usd === undefined ? Number.NaN : logAmount(c.usd)),
  },
];

/** Feature names of one event type, in vector order (the ONNX input order of its models). */
export function featureNames(type: ScoredEventType): string[] {
  return FEATURES.filter((f) => f.types.includes(type)).map((f) => f.name);
}

const DEFINITIONS_BY_TYPE: Record<ScoredEventType, readonly FeatureDefinition[]> = {
  login: FEATURES.filter((f) => f.types.includes('login')),
  withdrawal: FEATURES.filter((f) => f.types.includes('withdrawal')),
};

/** Length of an event type's feature vector. */
export const featureCount = (type: ScoredEventType): number => DEFINITIONS_BY_TYPE[type].length;

/** The feature vector of an event, in {@link featureNames} order, written to `out` (of {@link featureCount} length). */
export function computeFeatures(input: FeatureInput, out: Float64Array = new Float64Array(featureCount(input.type))): Float64Array {
  const defs = DEFINITIONS_BY_TYPE[input.type];
  for (let i = 0; i < defs.length; i++) out[i] = (defs[i] as FeatureDefinition).value(input);
  return out;
}
