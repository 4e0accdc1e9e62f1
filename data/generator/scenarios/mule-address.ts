import { makeAddress } from '../addresses';
import { assetAt, assetIndex } from '../assets';
import { DAY, MINUTE } from '../events';
import type { Rng } from '../prng';
import { emitLogin, emitWithdrawal, ownSession, type FraudTag } from '../sessions';
import { sessionTime, typicalUsd } from '../users';
import type { World } from '../world';
import { closeIncident, openIncident, pickVictim } from './common';

/** What mule rings collect: mostly USDT on Tron. */
const RING_ASSETS: readonly [symbol: string, chain: string, weight: number][] = [
  ['USDT', 'tron', 50],
  ['USDT', 'ethereum', 20],
  ['BTC', 'bitcoin', 20],
  ['ETH', 'ethereum', 10],
];

/**
 * Mule addresses: a ring of two or three addresses collects, over a few days, withdrawals from many unrelated
 * victims of investment and romance scams. Each victim's session is their own and looks ordinary; the amounts are a
 * few times what they usually move; what they share is the destination.
 */
export function startMuleRing(rng: Rng, world: World, dayStartMs: number): void {
  const [symbol, chain] = RING_ASSETS[rng.weightedIndex(RING_ASSETS.map((a) => a[2]))] as (typeof RING_ASSETS)[number];
  const asset = assetIndex(symbol, chain);
  const addresses = Array.from({ length: rng.intBetween(2, 3) }, () => makeAddress(rng, assetAt(asset).chain));
  const spanDays = rng.intBetween(2, 6);
  const victims = rng.intBetween(10, 20);
  for (let v = 0; v < victims; v++) {
    const victim = pickVictim(rng, world.users, dayStartMs);
    if (!victim) continue;
    victim.victimOf = 'mule_address';
    const incident = openIncident(rng);
    const tag: FraudTag = { scenario: 'mule_address', incident };
    const address = addresses[v % addresses.length] as string;
    const payments = rng.chance(0.75) ? 1 : 2;
    let lastMs = dayStartMs;
    for (let p = 0; p < payments; p++) {
      const day = dayStartMs + rng.int(spanDays) * DAY;
      const t = sessionTime(rng, victim, day, day);
      const session = ownSession(rng, world, victim, t);
      if (!session) continue;
      emitLogin(world, victim, session, t, true, victim.mfa);
      const ms = t + rng.intBetween(2 * MINUTE, 20 * MINUTE);
      emitWithdrawal(rng, world, victim, { ms, asset, address, usd: typicalUsd(rng, victim) * rng.uniform(1, 4), roundFigure: rng.chance(0.5), session }, tag);
      lastMs = Math.max(lastMs, ms);
    }
    closeIncident(rng, incident, lastMs);
  }
}
