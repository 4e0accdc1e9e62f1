import { makeAddress } from '../addresses';
import { assetAt } from '../assets';
import { HOUR, MINUTE } from '../events';
import type { Rng } from '../prng';
import { emitLogin, emitWithdrawal, homeSession, type FraudTag } from '../sessions';
import { pickAsset, sessionTime } from '../users';
import type { World } from '../world';
import { attackerDevice, attackerSession, closeIncident, openIncident, pickVictim, splitAmount, unfamiliarCity } from './common';

/** The attacker's city is at least this far from the victim's home... */
const MIN_DISTANCE_KM = 4000;
/** ...and logs in at most this long after the victim's own login at home: faster than any plane. */
const MAX_GAP_MS = 4 * HOUR;

/**
 * Impossible travel: the victim logs in at home; minutes to hours later someone logs in to the same account from a
 * country thousands of km away (with a stolen session cookie a quarter of the time, so with the victim's own device
 * id) and withdraws to a new address.
 */
export function startImpossibleTravel(rng: Rng, world: World, dayStartMs: number): void {
  const victim = pickVictim(rng, world.users, dayStartMs, (u) => u.trip === undefined && u.devices.some((d) => d.kind !== 'api'));
  if (!victim) return;
  const city = unfamiliarCity(rng, victim, MIN_DISTANCE_KM);
  if (city === undefined) return;
  victim.victimOf = 'impossible_travel';
  const incident = openIncident(rng);
  const tag: FraudTag = { scenario: 'impossible_travel', incident };

  const t0 = sessionTime(rng, victim, dayStartMs, dayStartMs);
  const home = homeSession(rng, victim, t0);
  emitLogin(world, victim, home, t0, true, victim.mfa);

  let t = t0 + Math.round(rng.logUniform(10 * MINUTE, MAX_GAP_MS));
  const device = rng.chance(0.25) ? home.device : attackerDevice(rng);
  const session = attackerSession(rng, world, t, city, device, rng.chance(0.3));
  emitLogin(world, victim, session, t, true, victim.mfa, tag);

  const asset = pickAsset(rng, victim);
  const address = makeAddress(rng, assetAt(asset).chain);
  const n = rng.chance(0.7) ? 1 : 2;
  const parts = splitAmount(rng, victim.holdingsUsd * rng.uniform(0.3, 0.9), n);
  for (let k = 0; k < n; k++) {
    t += rng.intBetween(3 * MINUTE, 60 * MINUTE);
    emitWithdrawal(rng, world, victim, { ms: t, asset, address, usd: parts[k] as number, roundFigure: rng.chance(0.15), session }, tag);
  }
  closeIncident(rng, incident, t);
}
