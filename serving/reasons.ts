import { FEATURES } from '../features/definitions';

/** Why a decision was made: a stable code, a human sentence, and the numbers behind it. */
export interface Reason {
  code: string;
  text: string;
  /** The feature behind a model reason, its value for this event, and its push on the log-odds. */
  feature?: string;
  value?: number | null;
  contribution?: number;
  /** The deny list behind a screening reason. */
  list?: string;
}

const DESCRIPTION = new Map(FEATURES.map((f) => [f.name, f.description]));

/**
 * Model reasons: the features that pushed this score up the most (positive contributions, largest first), at most
 * `max`. The code is the feature name, a stable identifier clients can map to their own texts.
 */
export function modelReasons(names: readonly string[], values: Float32Array, contributions: Float64Array, max = 3): Reason[] {
  const order = Array.from(contributions.keys())
    .filter((i) => (contributions[i] as number) > 0)
    .sort((a, b) => (contributions[b] as number) - (contributions[a] as number))
    .slice(0, max);
  return order.map((i) => {
    const name = names[i] as string;
    const v = values[i] as number;
    return {
      code: name,
      text: `${DESCRIPTION.get(name) ?? name} Value: ${Number.isNaN(v) ? 'unknown' : round(v)}.`,
      feature: name,
      value: Number.isNaN(v) ? null : round(v),
      contribution: round(contributions[i] as number),
    };
  });
}

const round = (x: number): number => Math.round(x * 1e4) / 1e4;

export const FAIL_REASONS = {
  feature_store_unavailable: 'The feature store did not answer in time; the configured fail mode applies.',
  model_unavailable: 'No model is in service for this event type; the configured fail mode applies.',
} as const;

export type FailReason = keyof typeof FAIL_REASONS;
