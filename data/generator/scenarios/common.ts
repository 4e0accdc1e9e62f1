import { makeAddress } from '../addresses';
import { CITIES, CITY_WEIGHTS, cityAt, cityDistanceKm } from '../cities';
import { makeDevice, type Device } from '../devices';
import { DAY, HOUR, type Incident, type LabelSource } from '../events';
import { DATACENTER_RANGES, cityNetwork, datacenterIp, residentialIp } from '../network';
import type { Rng } from '../prng';
import { cityGeo, type Session } from '../sessions';
import type { User } from '../users';
import type { World } from '../world';

/** Pieces the fraud scenarios share: victims, attackers' sessions and addresses, incidents. */

/** A victim's account must be older than this, so the attack is not the account's first activity. */
const MIN_ACCOUNT_AGE_MS = 3 * DAY;
const NEVER_REPORTED = 0.15;

/**
 * A random user of `users` who can be a victim at `ms`: the account exists and is not new, the user is not already
 * another scenario's victim, and `accept` agrees. Undefined when none is found after a bounded number of draws.
 */
export function pickVictim(rng: Rng, users: readonly User[], ms: number, accept: (user: User) => boolean = () => true): User | undefined {
  for (let tries = 0; tries < 200; tries++) {
    const user = rng.pick(users);
    if (user.victimOf === undefined && user.createdMs < ms - MIN_ACCOUNT_AGE_MS && accept(user)) return user;
  }
  return undefined;
}

/**
 * A new incident. Its report time is set by {@link closeIncident} once the scenario's last event is known; most
 * cases are reported within days, some after weeks, some never.
 */
export function openIncident(rng: Rng): Incident {
  return { reported: !rng.chance(NEVER_REPORTED), reportMs: 0, source: 'analyst' };
}

/** Sets when the incident is reported: a heavy-tailed delay (median a day and a half, up to two months) after `lastMs`. */
export function closeIncident(rng: Rng, incident: Incident, lastMs: number): void {
  const delayHours = Math.min(60 * 24, Math.max(1, rng.logNormal(Math.log(36), 1.3)));
  let source: LabelSource;
  if (delayHours < 48) source = rng.chance(0.7) ? 'user_report' : 'analyst';
  else if (delayHours < 240) source = rng.chance(0.6) ? 'analyst' : 'user_report';
  else source = rng.chance(0.5) ? 'chargeback' : 'analyst';
  incident.reportMs = lastMs + Math.round(delayHours * HOUR);
  incident.source = source;
}

/** A device the victim never had. Attack tools present ordinary browser or app user agents. */
export function attackerDevice(rng: Rng, kind: 'desktop' | 'mobile' = rng.chance(0.7) ? 'desktop' : 'mobile'): Device {
  return makeDevice(rng, kind);
}

/**
 * A city whose country the user has never used (nor is about to), at least `minKm` from home; the country is
 * reserved so the user's own later travel keeps out of it. Undefined if no city qualifies.
 */
export function unfamiliarCity(rng: Rng, user: User, minKm = 0): number | undefined {
  const weights = CITIES.map((c, i) =>
    user.knownCountries.has(c.country) || cityDistanceKm(user.home, i) < minKm ? 0 : (CITY_WEIGHTS[i] as number),
  );
  if (!weights.some((w) => w > 0)) return undefined;
  const city = rng.weightedIndex(weights);
  reserveCountry(user, city);
  return city;
}

/** Keeps the user's own travel and VPN out of the city's country (an attacker will show up from there). */
export function reserveCountry(user: User, city: number): void {
  user.reservedCountries.add(cityAt(city).country);
}

/** An attacker's session from `city`: a hosting range there when asked for and available, else a residential proxy. */
export function attackerSession(rng: Rng, world: World, ms: number, city: number, device: Device, preferDatacenter: boolean): Session {
  const ranges = preferDatacenter ? DATACENTER_RANGES.filter((r) => r.city === city) : [];
  const ip = ranges.length > 0 ? datacenterIp(rng, rng.pick(ranges)) : residentialIp(rng, cityNetwork(world.network, city));
  return { ms, ip, device, geo: cityGeo(rng, city) };
}

/** Splits `total` into `n` random positive parts. */
export function splitAmount(rng: Rng, total: number, n: number): number[] {
  const weights = Array.from({ length: n }, () => 0.5 + rng.float());
  const sum = weights.reduce((a, b) => a + b, 0);
  return weights.map((w) => (total * w) / sum);
}

/** A cash-out address on `chain`: often a wallet the attackers already used on other victims, else a fresh one. */
export function cashOutAddress(rng: Rng, world: World, chain: string): string {
  let pool = world.cashOutWallets.get(chain);
  if (!pool) {
    pool = [];
    world.cashOutWallets.set(chain, pool);
  }
  if (pool.length > 0 && rng.chance(0.3)) return rng.pick(pool);
  const address = makeAddress(rng, chain);
  if (pool.length < 6) pool.push(address);
  return address;
}
