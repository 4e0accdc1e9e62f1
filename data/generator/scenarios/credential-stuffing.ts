import { assetAt } from '../assets';
import { CITY_WEIGHTS, cityAt } from '../cities';
import { makeDevice, type Device } from '../devices';
import { DAY, HOUR, MINUTE, type Incident } from '../events';
import { DATACENTER_RANGES, cityNetwork, datacenterIp, residentialIp } from '../network';
import type { Rng } from '../prng';
import { cityGeo, emitAccountChange, emitLogin, emitWithdrawal, type FraudTag, type Session } from '../sessions';
import { pickAsset, type User } from '../users';
import type { World } from '../world';
import { attackerDevice, attackerSession, cashOutAddress, closeIncident, openIncident, pickVictim, reserveCountry, splitAmount, unfamiliarCity } from './common';

/**
 * Credential stuffing, and the account takeovers it yields. A bot replays leaked passwords against many accounts
 * from a few addresses (mostly hosting ranges, some residential proxies) within a burst; nearly every attempt fails
 * (tagged `credential_stuffing`). For a few accounts the password works: the attacker logs in from a device and a
 * country the user never used, resets the password or MFA, and withdraws to a new address, mostly within hours
 * (tagged `account_takeover`).
 */

interface StuffingSource {
  ip: string;
  city: number;
  /** Set when the bot keeps one device id; else each attempt presents a fresh one. */
  device: Device | undefined;
}

const STUFFING = { scenario: 'credential_stuffing' } as const;

function stuffingSources(rng: Rng, world: World): StuffingSource[] {
  return Array.from({ length: rng.intBetween(1, 4) }, (): StuffingSource => {
    const device = rng.chance(0.3) ? makeDevice(rng, rng.chance(0.5) ? 'api' : 'desktop') : undefined;
    if (rng.chance(0.7)) {
      const range = rng.pick(DATACENTER_RANGES);
      return { ip: datacenterIp(rng, range), city: range.city, device };
    }
    const city = rng.weightedIndex(CITY_WEIGHTS);
    return { ip: residentialIp(rng, cityNetwork(world.network, city)), city, device };
  });
}

/** Starts one stuffing campaign on the day starting at `dayStartMs`. */
export function startCredentialStuffing(rng: Rng, world: World, dayStartMs: number): void {
  const startMs = dayStartMs + rng.int(DAY);
  const durationMs = rng.logUniform(20 * MINUTE, 4 * HOUR);
  const sources = stuffingSources(rng, world);
  const existing = world.users.filter((u) => u.createdMs < startMs);
  const targetCount = Math.min(existing.length, Math.round(rng.logUniform(20, 200)));
  if (targetCount === 0) return;
  const targets = new Set<User>();
  while (targets.size < targetCount) targets.add(rng.pick(existing));

  const lastAttemptMs = new Map<User, number>();
  for (const user of targets) {
    const attempts = 1 + rng.weightedIndex([70, 25, 5]);
    for (let k = 0; k < attempts; k++) {
      const source = rng.pick(sources);
      const ms = startMs + Math.floor(rng.float() * durationMs);
      const device = source.device ?? makeDevice(rng, 'desktop');
      emitLogin(world, user, { ms, ip: source.ip, device, geo: cityGeo(rng, source.city) }, ms, false, undefined, STUFFING);
      lastAttemptMs.set(user, Math.max(ms, lastAttemptMs.get(user) ?? 0));
    }
  }

  // Hits: the leaked password still works. Accounts with MFA mostly resist.
  const hits = 1 + rng.poisson(targetCount * 0.015);
  const candidates = [...targets];
  for (let h = 0; h < hits; h++) {
    const victim = pickVictim(rng, candidates, startMs, (u) => !u.mfa || rng.chance(0.15));
    const lastMs = victim && lastAttemptMs.get(victim);
    if (!victim || lastMs === undefined) continue;
    takeOver(rng, world, victim, lastMs + rng.intBetween(5_000, 10 * MINUTE), sources);
  }
}

/**
 * The takeover: a successful login from a stuffing address whose country is new to the user (or, when none is,
 * from another attacker address), then a password or MFA reset, then withdrawals to a cash-out address.
 * One in five hits is sold on and used days later from yet another address and device.
 */
function takeOver(rng: Rng, world: World, victim: User, hitMs: number, sources: StuffingSource[]): void {
  const incident: Incident = openIncident(rng);
  const tag: FraudTag = { scenario: 'account_takeover', incident };
  const tagNoLabel: FraudTag = { scenario: 'account_takeover' };
  const unfamiliar = sources.filter((s) => !victim.knownCountries.has(cityAt(s.city).country));
  let session: Session;
  if (unfamiliar.length > 0) {
    const source = rng.pick(unfamiliar);
    reserveCountry(victim, source.city);
    session = { ms: hitMs, ip: source.ip, device: attackerDevice(rng), geo: cityGeo(rng, source.city) };
  } else {
    const city = unfamiliarCity(rng, victim);
    if (city === undefined) return;
    session = attackerSession(rng, world, hitMs, city, attackerDevice(rng), rng.chance(0.5));
  }
  victim.victimOf = 'account_takeover';
  emitLogin(world, victim, session, hitMs, true, victim.mfa, tag);

  let t = hitMs;
  if (rng.chance(0.2)) {
    t += Math.round(rng.uniform(1, 5) * DAY);
    const city = unfamiliarCity(rng, victim);
    if (city !== undefined) {
      session = attackerSession(rng, world, t, city, attackerDevice(rng), rng.chance(0.5));
      emitLogin(world, victim, session, t, true, victim.mfa, tag);
    }
  }
  t += rng.intBetween(MINUTE, 20 * MINUTE);
  const r = rng.float();
  if (r < 0.8) emitAccountChange(world, victim, t, r < 0.55 ? 'password_reset' : 'mfa_reset', tagNoLabel);
  else {
    emitAccountChange(world, victim, t, 'password_reset', tagNoLabel);
    t += rng.intBetween(MINUTE, 5 * MINUTE);
    emitAccountChange(world, victim, t, 'mfa_reset', tagNoLabel);
  }
  if (rng.chance(0.15)) {
    t += rng.intBetween(MINUTE, 5 * MINUTE);
    emitAccountChange(world, victim, t, 'api_key_created', tagNoLabel);
  }

  const asset = pickAsset(rng, victim);
  const address = cashOutAddress(rng, world, assetAt(asset).chain);
  const n = 1 + rng.weightedIndex([55, 30, 15]);
  const parts = splitAmount(rng, victim.holdingsUsd * rng.uniform(0.4, 0.95), n);
  for (let k = 0; k < n; k++) {
    const gap = k === 0 ? rng.logUniform(5 * MINUTE, 8 * HOUR) : rng.logUniform(10 * MINUTE, 12 * HOUR);
    t += Math.round(gap);
    if (gap > HOUR) {
      // A new sitting: the attacker logs in again first.
      session = { ...session, ms: t };
      emitLogin(world, victim, session, t, true, victim.mfa, tag);
      t += rng.intBetween(MINUTE, 10 * MINUTE);
    }
    emitWithdrawal(rng, world, victim, { ms: t, asset, address, usd: parts[k] as number, roundFigure: rng.chance(0.1), session }, tag);
  }
  closeIncident(rng, incident, t);
}
