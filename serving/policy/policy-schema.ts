import { z } from 'zod';
import { FEATURES } from '../../features/definitions';

const decision = z.enum(['allow', 'step_up', 'hold', 'block']);
const featureName = z.string().refine((n) => FEATURES.some((f) => f.name === n), { message: 'not a feature of the running feature set' });

export type Condition =
  | { feature: string; op: 'eq' | 'lt' | 'lte' | 'gt' | 'gte'; value: number }
  | { feature: string; unknown: boolean }
  | { denyListed: boolean }
  | { allowList: 'users' | 'addresses' }
  | { all: Condition[] }
  | { any: Condition[] };

const condition: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z.strictObject({ feature: featureName, op: z.enum(['eq', 'lt', 'lte', 'gt', 'gte']), value: z.number() }),
    z.strictObject({ feature: featureName, unknown: z.boolean() }),
    z.strictObject({ denyListed: z.boolean() }),
    z.strictObject({ allowList: z.enum(['users', 'addresses']) }),
    z.strictObject({ all: z.array(condition).min(1) }),
    z.strictObject({ any: z.array(condition).min(1) }),
  ]),
);

const eventTypes = z.array(z.enum(['login', 'withdrawal'])).min(1);

/**
 * The policy file: thresholds that override the model manifest's, fail modes, allow lists and ordered rules.
 * Rules are tried in order; every matching rule's decision combines with the model's, the most severe winning,
 * except that a matching `allow` rule ends the evaluation with `allow` unless an earlier rule already blocked
 * (so put deny-list rules first).
 */
export const policySchema = z
  .strictObject({
    thresholds: z
      .strictObject({
        login: z.strictObject({ step_up: z.number().min(0).max(1), block: z.number().min(0).max(1).optional() }).optional(),
        withdrawal: z
          .strictObject({ step_up: z.number().min(0).max(1), hold: z.number().min(0).max(1).optional(), block: z.number().min(0).max(1).optional() })
          .optional(),
      })
      .default({}),
    failModes: z
      .strictObject({ login: z.enum(['allow', 'step_up', 'block']), withdrawal: decision })
      .default({ login: 'step_up', withdrawal: 'hold' }),
    allowLists: z.strictObject({ users: z.array(z.string().min(1)).default([]), addresses: z.array(z.string().min(1)).default([]) }).default({ users: [], addresses: [] }),
    rules: z
      .array(
        z.strictObject({
          name: z.string().regex(/^[a-z0-9_]{1,64}$/, 'lower-case letters, digits and _ (it becomes a reason code)'),
          description: z.string().min(1),
          eventTypes: eventTypes.default(['login', 'withdrawal']),
          when: condition,
          then: decision,
        }),
      )
      .default([]),
  })
  .superRefine((p, ctx) => {
    p.rules.forEach((rule, i) => {
      for (const name of conditionFeatures(rule.when)) {
        for (const type of rule.eventTypes) {
          if (!FEATURES.some((f) => f.name === name && f.types.includes(type))) {
            ctx.addIssue({ code: 'custom', path: ['rules', i, 'when'], message: `feature '${name}' is not computed for ${type} events` });
          }
        }
      }
      if (rule.then === 'hold' && rule.eventTypes.includes('login')) {
        ctx.addIssue({ code: 'custom', path: ['rules', i, 'then'], message: 'a login cannot be held: use step_up or block, or limit eventTypes to withdrawal' });
      }
    });
  });

/** Feature names a condition reads. */
export function conditionFeatures(c: Condition): string[] {
  if ('all' in c) return c.all.flatMap(conditionFeatures);
  if ('any' in c) return c.any.flatMap(conditionFeatures);
  return 'feature' in c ? [c.feature] : [];
}

export type Policy = z.infer<typeof policySchema>;
export type PolicyRule = Policy['rules'][number];

/** The policy when no file is given: block deny-listed destinations; step up a login from a new device in a new country. */
export const DEFAULT_POLICY_INPUT = {
  rules: [
    {
      name: 'deny_listed_destination',
      description: 'The destination address is on a deny list (sanctions, scam reports).',
      eventTypes: ['withdrawal'],
      when: { denyListed: true },
      then: 'block',
    },
    { name: 'allow_listed_user', description: 'The user is on the allow list.', when: { allowList: 'users' }, then: 'allow' },
    {
      name: 'allow_listed_destination',
      description: 'The destination address is on the allow list.',
      eventTypes: ['withdrawal'],
      when: { allowList: 'addresses' },
      then: 'allow',
    },
    {
      name: 'new_device_new_country',
      description: 'Successful login from a device and a country the user has never used.',
      eventTypes: ['login'],
      when: {
        all: [
          { feature: 'login_success', op: 'eq', value: 1 },
          { feature: 'device_known', op: 'eq', value: 0 },
          { feature: 'country_known', op: 'eq', value: 0 },
          { feature: 'user_login_history', op: 'gt', value: 0 },
        ],
      },
      then: 'step_up',
    },
  ],
} as const;
