import { assetAt } from '../assets';
import { MINUTE } from '../events';
import { scamListOf } from '../lists';
import type { Rng } from '../prng';
import { emitAccountChange, emitLogin, emitWithdrawal, ownSession, type FraudTag } from '../sessions';
import { pickAsset, sessionTime } from '../users';
import type { World } from '../world';
import { closeIncident, openIncident, pickVictim, splitAmount } from './common';

/**
 * Phishing drain: the victim, tricked by a fake support agent or a drainer site, logs in from their own device and
 * address, sometimes whitelists the scammer's address first, and sends a large share of the account to an address on
 * a scam list.
 */
export function startPhishingDrain(rng: Rng, world: World, dayStartMs: number): void {
  const victim = pickVictim(rng, world.users, dayStartMs);
  if (!victim) return;
  let t = sessionTime(rng, victim, dayStartMs, dayStartMs);
  const session = ownSession(rng, world, victim, t);
  if (!session) return;
  victim.victimOf = 'phishing_drain';
  const incident = openIncident(rng);
  const tag: FraudTag = { scenario: 'phishing_drain', incident };
  emitLogin(world, victim, session, t, true, victim.mfa);

  const asset = pickAsset(rng, victim);
  const address = rng.pick(scamListOf(world.scamLists, assetAt(asset).chain).scam);
  if (rng.chance(0.4)) {
    t += rng.intBetween(MINUTE, 10 * MINUTE);
    emitAccountChange(world, victim, t, 'address_whitelisted', { scenario: 'phishing_drain' });
  }
  const n = rng.chance(0.7) ? 1 : 2;
  const parts = splitAmount(rng, victim.holdingsUsd * rng.uniform(0.5, 0.95), n);
  for (let k = 0; k < n; k++) {
    t += rng.intBetween(2 * MINUTE, 25 * MINUTE);
    emitWithdrawal(rng, world, victim, { ms: t, asset, address, usd: parts[k] as number, roundFigure: rng.chance(0.3), session }, tag);
  }
  closeIncident(rng, incident, t);
}
