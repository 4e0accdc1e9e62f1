import type { AccountChange, AccountChangeEvent, LoginEvent, WithdrawalEvent } from '../schemas';
import { amountFor, assetAt } from './assets';
import { CITY_GEOS, cityAt, type Geo } from './cities';
import type { Device } from './devices';
import { DAY, HOUR, isWeekend, isoTimestamp, type Incident, type ScenarioName } from './events';
import { carrierIp, cityNetwork, datacenterIp, hostIn, residentialIp, v6HostIn } from './network';
import type { Rng } from './prng';
import { utcOffsetAt, type User } from './users';
import type { World } from './world';

/**
 * Sessions and the events they produce. A session is where a login comes from (address, device, geolocation);
 * withdrawals reuse their session's address and device. Benign behaviour and fraud scenarios build events only
 * through these functions, so both look alike field by field.
 */

export interface Session {
  ms: number;
  ip: string;
  device: Device;
  /** Undefined when the address does not geolocate (a small share of lookups fail). */
  geo: Geo | undefined;
}

/** Marks the events of a fraud scenario; `incident` only on those that get labels. */
export interface FraudTag {
  scenario: ScenarioName;
  incident?: Incident;
}

const GEO_MISS_RATE = 0.02;

/**
 * An event's fields as serialised here: all but `type` and `eventId`, which the writer puts in front when it gives ids
 * in file order. Key order is the schema's.
 */
type Fields<E> = Omit<E, 'type' | 'eventId'>;

/** Where an address of the city's shared networks geolocates; sometimes the lookup finds nothing. */
export function cityGeo(rng: Rng, city: number): Geo | undefined {
  return rng.chance(GEO_MISS_RATE) ? undefined : CITY_GEOS[city];
}

/** Where the user's home connection geolocates: a fixed point of its own near the city centre. */
function homeGeo(rng: Rng, user: User): Geo | undefined {
  return rng.chance(GEO_MISS_RATE) ? undefined : user.homeGeo;
}

/** Mobile devices carry most logins; API keys only where the user trades through them. */
function pickDevice(rng: Rng, user: User): Device {
  const devices = user.devices;
  if (devices.length === 1) return devices[0] as Device;
  return devices[rng.weightedIndex(devices.map((d) => (d.kind === 'api' ? 4 : d.kind === 'mobile' ? 1.2 : 1)))] as Device;
}

/**
 * The user's own session at `ms`: one of their devices, and the address that fits where they are and what they
 * use (home broadband, mobile carrier, the shared office address on weekdays, a café, their VPN; hotel wifi, a
 * local SIM or a café when travelling). Undefined while the user is on a plane.
 * `device` defaults to one of the user's devices.
 */
export function ownSession(rng: Rng, world: World, user: User, ms: number, device: Device = pickDevice(rng, user)): Session | undefined {
  const trip = user.trip;
  if (trip && ((ms >= trip.departMs && ms < trip.arriveMs) || (ms >= trip.returnDepartMs && ms < trip.returnArriveMs))) return undefined;
  const away = trip !== undefined && ms >= trip.arriveMs && ms < trip.returnDepartMs;
  const homePools = cityNetwork(world.network, user.home);
  let ip: string;
  let geo: Geo | undefined;
  if (device.kind === 'api' && user.api) {
    ip = user.api.ip;
    geo = cityGeo(rng, user.api.city);
  } else if (user.vpn && rng.chance(user.vpnShare)) {
    ip = datacenterIp(rng, user.vpn);
    geo = cityGeo(rng, user.vpn.city);
  } else if (away && trip) {
    const pools = cityNetwork(world.network, trip.city);
    const r = rng.float();
    ip = device.kind === 'mobile' && r < 0.4 ? carrierIp(rng, pools) : r < 0.8 ? rng.pick(pools.hotelIps) : rng.pick(pools.sharedIps);
    geo = cityGeo(rng, trip.city);
  } else {
    const localHour = localHourAt(user, ms);
    const weekday = !isWeekend(ms + cityAt(user.home).utcOffset * HOUR);
    if (device.kind === 'mobile' && rng.chance(0.45)) {
      ip = carrierIp(rng, homePools);
      geo = cityGeo(rng, user.home);
    } else if (user.workplaceIp && weekday && localHour >= 9 && localHour < 18 && rng.chance(0.85)) {
      ip = user.workplaceIp;
      geo = cityGeo(rng, user.home);
    } else if (rng.chance(0.04)) {
      // A café or a friend's connection now and then.
      ip = rng.chance(0.5) ? rng.pick(homePools.sharedIps) : residentialIp(rng, homePools);
      geo = cityGeo(rng, user.home);
    } else {
      ip = user.homeIp;
      geo = homeGeo(rng, user);
    }
  }
  return { ms, ip, device, geo };
}

/** A session on the user's home connection, whatever their habits (a login that is certainly from home). */
export function homeSession(rng: Rng, user: User, ms: number): Session {
  const picked = pickDevice(rng, user);
  const device = picked.kind === 'api' ? (user.devices.find((d) => d.kind !== 'api') ?? picked) : picked;
  return { ms, ip: user.homeIp, device, geo: homeGeo(rng, user) };
}

/** Schedules a login from `session`; the country of the user's own successful logins becomes known to them. */
export function emitLogin(world: World, user: User, session: Session, ms: number, success: boolean, mfa: boolean | undefined, tag?: FraudTag): void {
  const geo = session.geo;
  const json = JSON.stringify({
    userId: user.id,
    ts: isoTimestamp(ms),
    ip: session.ip,
    deviceId: session.device.id,
    success,
    country: geo?.country,
    city: geo?.city,
    lat: geo?.lat,
    lon: geo?.lon,
    userAgent: session.device.userAgent,
    mfa,
    channel: session.device.channel,
  } satisfies Fields<LoginEvent>);
  world.timeline.add({ ms, type: 'login', success, scenario: tag?.scenario, incident: success ? tag?.incident : undefined, unusual: undefined }, json);
  if (!tag && success && geo) user.knownCountries.add(geo.country);
}

export function emitAccountChange(world: World, user: User, ms: number, change: AccountChange, tag?: FraudTag): void {
  const json = JSON.stringify({ userId: user.id, ts: isoTimestamp(ms), change } satisfies Fields<AccountChangeEvent>);
  world.timeline.add({ ms, type: 'account_change', success: undefined, scenario: tag?.scenario, incident: undefined, unusual: undefined }, json);
}

export interface WithdrawalSpec {
  ms: number;
  /** Index into ASSETS. */
  asset: number;
  address: string;
  /** Intended value in USD; the asset amount is derived at the day's price. */
  usd: number;
  /** People type round figures (0.05 BTC, 200 USDT); drains take exact balances. */
  roundFigure: boolean;
  /** Where it was made from: its address, device and geolocation are the session's. */
  session: Session;
  /** Benign only: looks unusual (new address, large), so an analyst is likelier to review it. */
  unusual?: boolean;
}

export function emitWithdrawal(rng: Rng, world: World, user: User, spec: WithdrawalSpec, tag?: FraudTag): void {
  const asset = assetAt(spec.asset);
  const { amount, amountUsd } = amountFor(rng, world.prices, asset, spec.usd, spec.roundFigure);
  const s = spec.session;
  const json = JSON.stringify({
    userId: user.id,
    ts: isoTimestamp(spec.ms),
    asset: asset.symbol,
    amount,
    address: spec.address,
    chain: asset.chain,
    amountUsd,
    ip: s.ip,
    deviceId: s.device.id,
    country: s.geo?.country,
    lat: s.geo?.lat,
    lon: s.geo?.lon,
  } satisfies Fields<WithdrawalEvent>);
  world.timeline.add(
    { ms: spec.ms, type: 'withdrawal', success: undefined, scenario: tag?.scenario, incident: tag?.incident, unusual: tag ? undefined : spec.unusual },
    json,
  );
}

/** The user's next home address: the lease renews within the same subnet. */
export function renewHomeIp(rng: Rng, user: User): void {
  user.homeIp = user.ipv6 ? v6HostIn(rng, user.homeSubnet) : hostIn(rng, user.homeSubnet);
}

/** Hour of day (local, 0–24) at `ms` where the user is. */
function localHourAt(user: User, ms: number): number {
  return ((((ms % DAY) / HOUR + utcOffsetAt(user, ms)) % 24) + 24) % 24;
}
