import { ASSET_WEIGHTS } from './assets';
import { CITY_WEIGHTS, cityAt, type Geo } from './cities';
import { makeDevice, type Device, type DeviceKind } from './devices';
import { DAY, HOUR, type ScenarioName } from './events';
import { DATACENTER_RANGES, cityNetwork, datacenterIp, homeSubnet, homeV6Subnet, hostIn, v6HostIn, type DatacenterRange, type Network } from './network';
import type { Rng } from './prng';

/**
 * Users: who they are and how they behave. Every habit is personal and drawn from a heavy-tailed population
 * distribution, so "normal" differs from one user to the next (a rare login hour for one is the peak of another).
 */

/** A trip abroad or to another city: in the air between departure and arrival, so no logins then. */
export interface Trip {
  city: number;
  departMs: number;
  arriveMs: number;
  returnDepartMs: number;
  returnArriveMs: number;
}

export interface User {
  id: string;
  /** Home city (index into CITIES). */
  home: number;
  /** Where the user's home connection geolocates: the city centre plus a personal offset. */
  homeGeo: Geo;
  /** Account creation, epoch ms; some accounts are created during the window. */
  createdMs: number;
  devices: Device[];
  /** Home broadband subnet: `a.b.c` (a /24) or four IPv6 hextets (a /64). */
  homeSubnet: string;
  ipv6: boolean;
  /** Current home address; it changes now and then (DHCP lease, IPv6 privacy address). */
  homeIp: string;
  /** Office, university or café address shared with other users, used on weekdays in office hours. */
  workplaceIp: string | undefined;
  /** Server of an API trader's bot: an address in a datacenter range, and the city it geolocates to. */
  api: { ip: string; city: number } | undefined;
  /** Peak login hour in local time, and the spread around it (hours). */
  peakHour: number;
  hourSpread: number;
  /** Mean logins per day. */
  loginRate: number;
  /** Mean withdrawals per day (0: never withdraws). */
  withdrawRate: number;
  mfa: boolean;
  /** VPN exit the user sometimes logs in through, and how often. */
  vpn: DatacenterRange | undefined;
  vpnShare: number;
  /** Whitelists every new address before withdrawing to it. */
  whitelistsAddresses: boolean;
  /** Preferred assets (indices into ASSETS) and their weights. */
  assets: number[];
  assetWeights: number[];
  /** Withdrawal size: log-normal in USD with median exp(amountMu). */
  amountMu: number;
  amountSigma: number;
  /** What the account holds, USD: what a drain takes a share of. */
  holdingsUsd: number;
  /** The user's own destination addresses per chain, favourites first. */
  wallets: Map<string, string[]>;
  /**
   * Countries the user has used or will use: home, VPN exit, trip destinations (added when the trip is planned) and
   * every country they logged in from. Attackers pick outside it to show a country the user never used.
   */
  knownCountries: Set<string>;
  /** Countries attackers will use on this account: the user's own travel and VPN keep away from them. */
  reservedCountries: Set<string>;
  trip: Trip | undefined;
  /** The scenario the user fell victim to: one per user. */
  victimOf: ScenarioName | undefined;
}

const DEVICE_COUNT_WEIGHTS = [50, 35, 15];

function devicesFor(rng: Rng, apiTrader: boolean): Device[] {
  const n = 1 + rng.weightedIndex(DEVICE_COUNT_WEIGHTS);
  let kind: DeviceKind = rng.chance(0.6) ? 'mobile' : 'desktop';
  const devices: Device[] = [];
  for (let i = 0; i < n; i++) {
    devices.push(makeDevice(rng, kind));
    kind = rng.chance(0.7) ? (kind === 'mobile' ? 'desktop' : 'mobile') : kind;
  }
  if (apiTrader) devices.push(makeDevice(rng, 'api'));
  return devices;
}

/** A personal peak hour: mostly evenings, some office-hours users, some night owls. */
function peakHourFor(rng: Rng): number {
  const r = rng.float();
  const h = r < 0.65 ? 20 + 2.5 * rng.normal() : r < 0.9 ? 13 + 2.5 * rng.normal() : 1.5 + 1.5 * rng.normal();
  return ((h % 24) + 24) % 24;
}

function preferredAssets(rng: Rng): { assets: number[]; weights: number[] } {
  const n = 1 + rng.weightedIndex([55, 30, 15]);
  const assets: number[] = [];
  while (assets.length < n) {
    const a = rng.weightedIndex(ASSET_WEIGHTS);
    if (!assets.includes(a)) assets.push(a);
  }
  // The first preference dominates: most users mostly move one asset.
  return { assets, weights: assets.map((_, i) => (i === 0 ? 6 : 1 + rng.float() * 2)) };
}

function apiServer(rng: Rng): { ip: string; city: number } {
  const range = rng.pick(DATACENTER_RANGES);
  return { ip: datacenterIp(rng, range), city: range.city };
}

export interface UserPopulationOptions {
  startMs: number;
  days: number;
}

/** Creates user number `index` (ids `u000001`, … in creation order). */
export function createUser(rng: Rng, network: Network, index: number, opts: UserPopulationOptions): User {
  const home = rng.weightedIndex(CITY_WEIGHTS);
  const city = cityAt(home);
  const pools = cityNetwork(network, home);
  // Most accounts predate the window (up to ~4 years); some are opened during it.
  const createdMs = rng.chance(0.85)
    ? opts.startMs - Math.round(rng.logUniform(3, 1500) * DAY)
    : opts.startMs + Math.round(rng.float() * opts.days * DAY);
  const apiTrader = rng.chance(0.03);
  const ipv6 = rng.chance(0.2);
  const subnet = ipv6 ? homeV6Subnet(rng, pools) : homeSubnet(rng, pools);
  const vpn = rng.chance(0.05) ? rng.pick(DATACENTER_RANGES.filter((r) => cityAt(r.city).country !== city.country)) : undefined;
  const { assets, weights } = preferredAssets(rng);
  const amountMu = Math.log(250) + 1.2 * rng.normal();
  const withdraws = rng.chance(0.7);
  const knownCountries = new Set([city.country]);
  if (vpn) knownCountries.add(cityAt(vpn.city).country);
  return {
    id: `u${String(index + 1).padStart(6, '0')}`,
    home,
    homeGeo: {
      country: city.country,
      city: city.name,
      lat: Math.round((city.lat + rng.uniform(-0.08, 0.08)) * 1e4) / 1e4,
      lon: Math.round((city.lon + rng.uniform(-0.08, 0.08)) * 1e4) / 1e4,
    },
    createdMs,
    devices: devicesFor(rng, apiTrader),
    homeSubnet: subnet,
    ipv6,
    homeIp: ipv6 ? v6HostIn(rng, subnet) : hostIn(rng, subnet),
    workplaceIp: rng.chance(0.35) ? rng.pick(pools.sharedIps) : undefined,
    api: apiTrader ? apiServer(rng) : undefined,
    peakHour: peakHourFor(rng),
    hourSpread: rng.uniform(1, 3.5),
    loginRate: Math.min(12, Math.max(0.03, rng.logNormal(Math.log(0.4), 1)) * (apiTrader ? 6 : 1)),
    withdrawRate: withdraws ? Math.min(2, rng.logNormal(Math.log(0.08), 1) * (apiTrader ? 3 : 1)) : 0,
    mfa: rng.chance(0.6),
    vpn,
    vpnShare: rng.uniform(0.2, 0.8),
    whitelistsAddresses: rng.chance(0.25),
    assets,
    assetWeights: weights,
    amountMu,
    amountSigma: rng.uniform(0.35, 0.9),
    holdingsUsd: Math.exp(amountMu) * rng.logNormal(Math.log(8), 0.7),
    wallets: new Map(),
    knownCountries,
    reservedCountries: new Set(),
    trip: undefined,
    victimOf: undefined,
  };
}

/** Hours from UTC where the user is at `ms` (home, or the trip's city once landed). */
export function utcOffsetAt(user: User, ms: number): number {
  const trip = user.trip;
  const city = trip && ms >= trip.arriveMs && ms < trip.returnDepartMs ? trip.city : user.home;
  return cityAt(city).utcOffset;
}

/**
 * A login time on the day starting at `dayStartMs`, from the user's personal hour distribution in local time (and
 * now and then any hour at all), never before `notBeforeMs`.
 */
export function sessionTime(rng: Rng, user: User, dayStartMs: number, notBeforeMs: number): number {
  const offset = utcOffsetAt(user, dayStartMs + 12 * HOUR);
  const local = rng.chance(0.04) ? rng.uniform(0, 24) : user.peakHour + user.hourSpread * rng.normal();
  const utcHour = (((local - offset) % 24) + 24) % 24;
  const ms = dayStartMs + Math.floor(utcHour * HOUR);
  if (ms >= notBeforeMs) return ms;
  return notBeforeMs + Math.floor(rng.float() * (dayStartMs + DAY - notBeforeMs));
}

/** The asset of the user's next withdrawal. */
export function pickAsset(rng: Rng, user: User): number {
  return user.assets[rng.weightedIndex(user.assetWeights)] as number;
}

/** A typical withdrawal of this user in USD. */
export function typicalUsd(rng: Rng, user: User): number {
  return Math.exp(user.amountMu + user.amountSigma * rng.normal());
}

