import { makeAddress } from './addresses';
import { assetAt } from './assets';
import { CITIES, CITY_WEIGHTS, cityAt, cityDistanceKm } from './cities';
import { makeDevice, type Device } from './devices';
import { DAY, HOUR, MINUTE, isWeekend } from './events';
import type { Rng } from './prng';
import { emitAccountChange, emitLogin, emitWithdrawal, ownSession, renewHomeIp, type Session } from './sessions';
import { pickAsset, sessionTime, typicalUsd, type User } from './users';
import type { World } from './world';

/**
 * One user's ordinary day: logins, withdrawals, and the benign surprises that make fraud hard to tell apart —
 * trips abroad, new phones (often with an MFA reset), cleared cookies, shared office addresses, typos and
 * forgotten passwords, the occasional big withdrawal to a new address.
 */

/** Per-day chances of life events. */
const RATES = {
  trip: 0.004,
  homeIpRenewal: 0.02,
  phoneReplaced: 0.0012,
  deviceAdded: 0.0006,
  cookiesCleared: 0.002,
  passwordChanged: 0.0003,
  emailChanged: 0.0002,
  apiKeyCreated: 0.01,
} as const;

/** Per-session and per-withdrawal chances. */
const TYPO = 0.03;
const FORGOTTEN_PASSWORD = 0.003;
const NEW_ADDRESS = 0.05;
const LARGE_ONE_OFF = 0.01;
const ROUND_FIGURE = 0.3;
/** Average flight speed including taxiing, km/h, and time to and from airports, hours. */
const FLIGHT_KMH = 800;
const AIRPORT_HOURS = 1.5;

/** Generates the user's own events for the day starting at `dayStartMs`. */
export function benignDay(rng: Rng, world: World, user: User, dayStartMs: number): void {
  if (user.createdMs >= dayStartMs + DAY) return;
  let from = dayStartMs;
  if (user.createdMs >= dayStartMs) {
    // Sign-up: the first login, from the first device.
    from = user.createdMs;
    startSession(rng, world, user, from, user.devices[0]);
  }
  lifeEvents(rng, world, user, dayStartMs, from);
  const logins = rng.poisson(user.loginRate * (isWeekend(dayStartMs) ? 0.85 : 1.05));
  const withdrawals = user.withdrawRate > 0 && dayStartMs >= user.createdMs + 2 * DAY ? rng.poisson(user.withdrawRate) : 0;
  const sessions: Session[] = [];
  for (let i = 0; i < logins; i++) {
    const session = startSession(rng, world, user, sessionTime(rng, user, dayStartMs, from));
    if (session) sessions.push(session);
  }
  for (let i = 0; i < withdrawals; i++) withdraw(rng, world, user, sessions, dayStartMs, from);
}

/**
 * A login session at `ms` (on `device` if given): sometimes a typo first, rarely a forgotten password with its
 * reset. Undefined if the user is in the air.
 */
function startSession(rng: Rng, world: World, user: User, ms: number, device?: Device): Session | undefined {
  const session = ownSession(rng, world, user, ms, device);
  if (!session) return undefined;
  const floor = Math.max(world.timeline.openFromMs, user.createdMs);
  const r = rng.float();
  if (r < FORGOTTEN_PASSWORD) {
    const attempts = rng.intBetween(2, 4);
    for (let k = attempts; k >= 1; k--) emitLogin(world, user, session, Math.max(floor, ms - k * rng.intBetween(20_000, 90_000)), false, undefined);
    emitAccountChange(world, user, ms, 'password_reset');
    session.ms = ms + rng.intBetween(2 * MINUTE, 10 * MINUTE);
  } else if (r < FORGOTTEN_PASSWORD + TYPO) {
    const attempts = rng.chance(0.8) ? 1 : 2;
    for (let k = attempts; k >= 1; k--) emitLogin(world, user, session, Math.max(floor, ms - k * rng.intBetween(5_000, 40_000)), false, undefined);
  }
  emitLogin(world, user, session, session.ms, true, user.mfa);
  return session;
}

function withdraw(rng: Rng, world: World, user: User, sessions: Session[], dayStartMs: number, from: number): void {
  let session: Session | undefined;
  const apiDevice = user.api ? user.devices.find((d) => d.kind === 'api') : undefined;
  if (user.api && apiDevice && rng.chance(0.7)) {
    // Trading bots withdraw with their API key: no login in front.
    session = ownSession(rng, world, user, sessionTime(rng, user, dayStartMs, from), apiDevice);
  } else if (sessions.length > 0 && rng.chance(0.5)) {
    session = rng.pick(sessions);
  } else {
    session = startSession(rng, world, user, sessionTime(rng, user, dayStartMs, from));
    if (session) sessions.push(session);
  }
  if (!session) return;
  const ms = session.ms + 30_000 + Math.floor(rng.exponential(6 * MINUTE));
  const asset = pickAsset(rng, user);
  const chain = assetAt(asset).chain;
  const large = rng.chance(LARGE_ONE_OFF);
  let wallets = user.wallets.get(chain);
  if (!wallets) {
    wallets = [];
    user.wallets.set(chain, wallets);
  }
  let address: string;
  const isNew = wallets.length === 0 || rng.chance(large ? 0.85 : NEW_ADDRESS);
  if (isNew) {
    address = makeAddress(rng, chain);
    wallets.push(address);
    if (user.whitelistsAddresses) {
      emitAccountChange(world, user, Math.max(from, ms - rng.intBetween(2 * MINUTE, 3 * HOUR)), 'address_whitelisted');
    }
  } else {
    address = rng.chance(0.6) ? (wallets[0] as string) : rng.pick(wallets);
  }
  emitWithdrawal(rng, world, user, {
    ms,
    asset,
    address,
    usd: typicalUsd(rng, user) * (large ? rng.uniform(5, 30) : 1),
    roundFigure: rng.chance(ROUND_FIGURE),
    session,
    unusual: large || isNew,
  });
}

/** Trips, device changes, address renewals and account maintenance: each a small daily chance. */
function lifeEvents(rng: Rng, world: World, user: User, dayStartMs: number, from: number): void {
  if (user.trip && dayStartMs >= user.trip.returnArriveMs) user.trip = undefined;
  // A victim's story stays at home: a trip would blur what the scenario shows.
  if (!user.trip && user.victimOf === undefined && rng.chance(RATES.trip)) planTrip(rng, user, from, dayStartMs + DAY);
  if (rng.chance(RATES.homeIpRenewal)) renewHomeIp(rng, user);
  if (rng.chance(RATES.phoneReplaced)) {
    const old = user.devices.findIndex((d) => d.kind === 'mobile');
    const phone = makeDevice(rng, 'mobile');
    if (old >= 0) user.devices[old] = phone;
    else user.devices.unshift(phone);
    // The new phone's first login; moving the authenticator app often takes an MFA reset.
    const session = startSession(rng, world, user, sessionTime(rng, user, dayStartMs, from), phone);
    if (session && user.mfa && rng.chance(0.4)) emitAccountChange(world, user, session.ms + rng.intBetween(MINUTE, 15 * MINUTE), 'mfa_reset');
  } else if (user.devices.length < 3 && rng.chance(RATES.deviceAdded)) {
    user.devices.push(makeDevice(rng, rng.chance(0.5) ? 'desktop' : 'mobile'));
  }
  if (rng.chance(RATES.cookiesCleared)) {
    const web = user.devices.findIndex((d) => d.kind === 'desktop');
    const old = user.devices[web];
    if (old) user.devices[web] = { ...old, id: makeDevice(rng, 'desktop').id };
  }
  if (rng.chance(RATES.passwordChanged)) {
    const session = startSession(rng, world, user, sessionTime(rng, user, dayStartMs, from));
    if (session) emitAccountChange(world, user, session.ms + rng.intBetween(MINUTE, 10 * MINUTE), 'password_reset');
  }
  if (rng.chance(RATES.emailChanged)) {
    const session = startSession(rng, world, user, sessionTime(rng, user, dayStartMs, from));
    if (session) emitAccountChange(world, user, session.ms + rng.intBetween(MINUTE, 10 * MINUTE), 'email_change');
  }
  if (user.api && rng.chance(RATES.apiKeyCreated)) {
    const session = startSession(rng, world, user, sessionTime(rng, user, dayStartMs, from));
    if (session) emitAccountChange(world, user, session.ms + rng.intBetween(MINUTE, 10 * MINUTE), 'api_key_created');
  }
}

/**
 * A trip starting today: mostly abroad, sometimes to another city at home; never to a country an attacker is about
 * to use on this account. Flight time follows the distance, so the user never moves faster than a plane.
 */
function planTrip(rng: Rng, user: User, from: number, dayEndMs: number): void {
  const homeCountry = cityAt(user.home).country;
  const domestic = CITIES.map((c, i) => (c.country === homeCountry && i !== user.home ? i : -1)).filter((i) => i >= 0);
  let city: number;
  if (domestic.length > 0 && rng.chance(0.25)) {
    city = rng.pick(domestic);
  } else {
    city = rng.weightedIndex(CITY_WEIGHTS);
    const country = cityAt(city).country;
    if (country === homeCountry || user.reservedCountries.has(country)) return;
  }
  const flightMs = Math.round((cityDistanceKm(user.home, city) / FLIGHT_KMH + AIRPORT_HOURS) * HOUR);
  const departMs = from + Math.floor(rng.float() * (dayEndMs - from));
  const arriveMs = departMs + flightMs;
  const returnDepartMs = arriveMs + Math.round(rng.uniform(2, 12) * DAY);
  user.trip = { city, departMs, arriveMs, returnDepartMs, returnArriveMs: returnDepartMs + flightMs };
  user.knownCountries.add(cityAt(city).country);
}
