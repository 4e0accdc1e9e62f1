import type { ScoredEventType } from '../features/definitions';
import type { Thresholds } from '../models/manifest';

export type Decision = 'allow' | 'step_up' | 'hold' | 'block';

/** The decisions each event type can receive: a login cannot be "held", only refused or challenged. */
export const DECISIONS: Record<ScoredEventType, readonly Decision[]> = {
  login: ['allow', 'step_up', 'block'],
  withdrawal: ['allow', 'step_up', 'hold', 'block'],
};

const SEVERITY: Record<Decision, number> = { allow: 0, step_up: 1, hold: 2, block: 3 };

/** The more severe of two decisions. */
export const mostSevere = (a: Decision, b: Decision): Decision => (SEVERITY[b] > SEVERITY[a] ? b : a);

/** The model's decision: the highest threshold the calibrated score reaches (`score ≥ threshold`). */
export function decide(score: number, thresholds: Thresholds): Decision {
  if (thresholds.block !== undefined && score >= thresholds.block) return 'block';
  if (thresholds.hold !== undefined && score >= thresholds.hold) return 'hold';
  if (score >= thresholds.step_up) return 'step_up';
  return 'allow';
}
