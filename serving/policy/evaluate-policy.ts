import type { ScoredEventType } from '../../features/definitions';
import { mostSevere, type Decision } from '../decision';
import type { Condition, Policy, PolicyRule } from './policy-schema';

/** What rules can look at for one event. */
export interface PolicyContext {
  type: ScoredEventType;
  /** The event's feature value by name (NaN when unknown). */
  feature: (name: string) => number;
  /** Name of the deny list holding the destination, if any. */
  denyList: string | undefined;
  userId: string;
  /** Normalised destination address (withdrawals). */
  address: string | undefined;
}

export interface PolicyOutcome {
  decision: Decision;
  /** Rules that matched and shaped the decision, in order. */
  matched: PolicyRule[];
}

function holds(c: Condition, ctx: PolicyContext, policy: Policy): boolean {
  if ('all' in c) return c.all.every((x) => holds(x, ctx, policy));
  if ('any' in c) return c.any.some((x) => holds(x, ctx, policy));
  if ('denyListed' in c) return (ctx.denyList !== undefined) === c.denyListed;
  if ('allowList' in c) {
    return c.allowList === 'users' ? policy.allowLists.users.includes(ctx.userId) : ctx.address !== undefined && policy.allowLists.addresses.includes(ctx.address);
  }
  const v = ctx.feature(c.feature);
  if ('unknown' in c) return Number.isNaN(v) === c.unknown;
  switch (c.op) {
    case 'eq':
      return v === c.value;
    case 'lt':
      return v < c.value;
    case 'lte':
      return v <= c.value;
    case 'gt':
      return v > c.value;
    case 'gte':
      return v >= c.value;
  }
}

/**
 * Applies the ordered rules to the model's decision (pure). Matching rules raise the decision to their own when
 * more severe; a matching `allow` rule ends evaluation with `allow` unless an earlier rule blocked.
 */
export function evaluatePolicy(policy: Policy, ctx: PolicyContext, modelDecision: Decision): PolicyOutcome {
  let decision = modelDecision;
  let blocked = false;
  const matched: PolicyRule[] = [];
  for (const rule of policy.rules) {
    if (!rule.eventTypes.includes(ctx.type) || !holds(rule.when, ctx, policy)) continue;
    if (rule.then === 'allow') {
      if (blocked) continue;
      return { decision: 'allow', matched: [...matched, rule] };
    }
    matched.push(rule);
    decision = mostSevere(decision, rule.then);
    if (rule.then === 'block') blocked = true;
  }
  return { decision, matched };
}
