import { makeAddress } from '../addresses';
import { assetAt } from '../assets';
import { CITIES, cityAt } from '../cities';
import { DAY, MINUTE } from '../events';
import { carrierIp, cityNetwork, residentialIp } from '../network';
import type { Rng } from '../prng';
import { cityGeo, emitAccountChange, emitLogin, emitWithdrawal, type FraudTag, type Session } from '../sessions';
import { pickAsset } from '../users';
import type { World } from '../world';
import { attackerDevice, closeIncident, openIncident, pickVictim, splitAmount } from './common';

/**
 * SIM swap: the attacker ports the victim's phone number, resets MFA through SMS (sometimes changes the e-mail too),
 * logs in from a phone of their own in the victim's country (often with the same app as the victim) and drains the
 * account within the hour.
 */
export function startSimSwap(rng: Rng, world: World, dayStartMs: number): void {
  let t = dayStartMs + rng.int(DAY);
  const victim = pickVictim(rng, world.users, t, (u) => u.mfa);
  if (!victim) return;
  victim.victimOf = 'sim_swap';
  const incident = openIncident(rng);
  const tag: FraudTag = { scenario: 'sim_swap', incident };
  const tagNoLabel: FraudTag = { scenario: 'sim_swap' };

  emitAccountChange(world, victim, t, 'mfa_reset', tagNoLabel);
  if (rng.chance(0.5)) {
    t += rng.intBetween(MINUTE, 10 * MINUTE);
    emitAccountChange(world, victim, t, 'email_change', tagNoLabel);
  }
  t += rng.intBetween(2 * MINUTE, 30 * MINUTE);
  // The attacker is local: the victim's city or another one in the same country.
  const country = cityAt(victim.home).country;
  const domestic = CITIES.map((c, i) => (c.country === country ? i : -1)).filter((i) => i >= 0);
  const city = rng.chance(0.7) ? victim.home : rng.pick(domestic);
  const pools = cityNetwork(world.network, city);
  const device = attackerDevice(rng, 'mobile');
  const victimPhone = victim.devices.find((d) => d.kind === 'mobile');
  if (victimPhone && rng.chance(0.4)) {
    device.userAgent = victimPhone.userAgent;
    device.channel = victimPhone.channel;
  }
  const session: Session = { ms: t, ip: rng.chance(0.6) ? carrierIp(rng, pools) : residentialIp(rng, pools), device, geo: cityGeo(rng, city) };
  emitLogin(world, victim, session, t, true, true, tag);

  const asset = pickAsset(rng, victim);
  const chain = assetAt(asset).chain;
  const n = 1 + rng.weightedIndex([50, 35, 15]);
  const parts = splitAmount(rng, victim.holdingsUsd * rng.uniform(0.5, 0.95), n);
  let address = makeAddress(rng, chain);
  for (let k = 0; k < n; k++) {
    t += rng.intBetween(3 * MINUTE, 45 * MINUTE);
    if (k > 0 && rng.chance(0.5)) address = makeAddress(rng, chain);
    emitWithdrawal(rng, world, victim, { ms: t, asset, address, usd: parts[k] as number, roundFigure: rng.chance(0.15), session }, tag);
  }
  closeIncident(rng, incident, t);
}
