import { makeAddress } from '../addresses';
import { assetAt } from '../assets';
import { CITIES, cityAt } from '../cities';
import { DAY, MINUTE } from '../events';
import type { Rng } from '../prng';
import { emitLogin, emitWithdrawal, type FraudTag } from '../sessions';
import type { World } from '../world';
import { attackerDevice, attackerSession, closeIncident, openIncident, pickVictim } from './common';

/**
 * Slow compromise: malware or a stolen session gives an attacker lasting access. Over about two weeks they log in
 * every day or two from a new device on a proxy in the victim's own country and withdraw to one new address,
 * starting below the victim's usual amounts and creeping up, to stay under thresholds.
 */
export function startSlowCompromise(rng: Rng, world: World, dayStartMs: number): void {
  const victim = pickVictim(rng, world.users, dayStartMs, (u) => u.devices.some((d) => d.kind !== 'api'));
  if (!victim) return;
  victim.victimOf = 'slow_compromise';
  const incident = openIncident(rng);
  const tag: FraudTag = { scenario: 'slow_compromise', incident };
  const country = cityAt(victim.home).country;
  const domestic = CITIES.map((c, i) => (c.country === country ? i : -1)).filter((i) => i >= 0);
  const city = rng.pick(domestic);
  const primary = victim.devices.find((d) => d.kind !== 'api');
  const device = attackerDevice(rng, primary?.kind === 'mobile' ? 'mobile' : 'desktop');
  const asset = victim.assets[0] as number;
  const address = makeAddress(rng, assetAt(asset).chain);
  const steps = rng.intBetween(5, 8);
  let t = dayStartMs + rng.int(DAY);
  let session = attackerSession(rng, world, t, city, device, false);
  for (let k = 0; k < steps; k++) {
    if (k > 0) {
      t += Math.round(rng.uniform(1, 2.5) * DAY);
      // Proxies rotate now and then; the device stays.
      session = rng.chance(0.5) ? attackerSession(rng, world, t, city, device, rng.chance(0.2)) : { ...session, ms: t };
    }
    emitLogin(world, victim, session, t, true, victim.mfa, tag);
    t += rng.intBetween(2 * MINUTE, 20 * MINUTE);
    const usd = Math.exp(victim.amountMu) * 0.3 * 1.35 ** k * rng.uniform(0.85, 1.15);
    emitWithdrawal(rng, world, victim, { ms: t, asset, address, usd, roundFigure: rng.chance(0.2), session }, tag);
  }
  closeIncident(rng, incident, t);
}
