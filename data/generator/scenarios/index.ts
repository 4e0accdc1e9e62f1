import type { Rng } from '../prng';
import type { World } from '../world';
import { startCredentialStuffing } from './credential-stuffing';
import { startImpossibleTravel } from './impossible-travel';
import { startMuleRing } from './mule-address';
import { startPhishingDrain } from './phishing-drain';
import { startSimSwap } from './sim-swap';
import { startSlowCompromise } from './slow-compromise';

/** A kind of fraud and how often it starts. */
export interface ScenarioKind {
  name: string;
  /** Starts per 1,000 user-days (a stuffing campaign or a mule ring counts once, whatever its number of victims). */
  ratePer1000UserDays: number;
  start: (rng: Rng, world: World, dayStartMs: number) => void;
}

/**
 * The fraud mix. Rates are set so that about 1% of withdrawals are fraudulent, each scenario contributing a
 * comparable share.
 */
export const SCENARIO_KINDS: readonly ScenarioKind[] = [
  { name: 'credential_stuffing', ratePer1000UserDays: 0.04, start: startCredentialStuffing },
  { name: 'sim_swap', ratePer1000UserDays: 0.07, start: startSimSwap },
  { name: 'impossible_travel', ratePer1000UserDays: 0.08, start: startImpossibleTravel },
  { name: 'phishing_drain', ratePer1000UserDays: 0.11, start: startPhishingDrain },
  { name: 'mule_address', ratePer1000UserDays: 0.012, start: startMuleRing },
  { name: 'slow_compromise', ratePer1000UserDays: 0.045, start: startSlowCompromise },
];

/** Fraud starts no earlier than this day, so every victim has some history in the data set. */
const FIRST_FRAUD_DAY = 2;

/**
 * Which scenarios start on which day. The number of each kind is its expected count (rate × user-days × scale),
 * rounded at random rather than drawn from a Poisson law, so that small worlds reliably contain every kind; the days
 * are uniform over the window.
 */
export function planScenarios(rng: Rng, users: number, days: number, fraudScale: number): ScenarioKind[][] {
  const plan: ScenarioKind[][] = Array.from({ length: days }, () => []);
  const firstDay = Math.min(FIRST_FRAUD_DAY, days - 1);
  for (const kind of SCENARIO_KINDS) {
    const expected = (kind.ratePer1000UserDays * users * days * fraudScale) / 1000;
    const count = Math.floor(expected) + (rng.chance(expected - Math.floor(expected)) ? 1 : 0);
    for (let i = 0; i < count; i++) plan[firstDay + rng.int(days - firstDay)]?.push(kind);
  }
  return plan;
}
