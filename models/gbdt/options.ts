import { ValidationError, type FieldIssue } from '../../core/errors';

/** How a tree grows: level by level (XGBoost `depthwise`) or best leaf first (XGBoost `lossguide`, LightGBM). */
export type GrowPolicy = 'depthwise' | 'lossguide';

/** Validation metric watched by early stopping. */
export type EvalMetric = 'logloss' | 'auc';

/**
 * Training options of the gradient-boosted tree classifier. Names follow XGBoost's parameters in camelCase and the
 * defaults are XGBoost's, so a model can be reproduced there with the same numbers.
 */
export interface GbdtOptions {
  /**
   * Boosting rounds (trees); fewer when early stopping ends training.
   * @defaultValue 100
   */
  nRounds: number;
  /**
   * Shrinkage `eta` applied to every leaf value, in (0, 1].
   * @defaultValue 0.3
   */
  learningRate: number;
  /**
   * Maximum depth of a tree (the root has depth 0, so a stump has depth 1). 0 means no limit, which is only
   * allowed with `growPolicy: 'lossguide'` and a positive `maxLeaves`.
   * @defaultValue 6
   */
  maxDepth: number;
  /**
   * Maximum number of leaves per tree; 0 means no limit other than `maxDepth`.
   * @defaultValue 0
   */
  maxLeaves: number;
  /**
   * `depthwise` splits every splittable node of a level before the next level; `lossguide` always splits the leaf
   * with the largest gain next.
   * @defaultValue 'depthwise'
   */
  growPolicy: GrowPolicy;
  /**
   * Minimum sum of hessians (cover) in each child of a split.
   * @defaultValue 1
   */
  minChildWeight: number;
  /**
   * L2 regularisation of leaf values: a leaf's value is `-G / (H + lambda) * learningRate`.
   * @defaultValue 1
   */
  lambda: number;
  /**
   * Minimum gain of a split (XGBoost `gamma`, `min_split_loss`); gains are `GL²/(HL+λ) + GR²/(HR+λ) − G²/(H+λ)`.
   * @defaultValue 0
   */
  gamma: number;
  /**
   * Share of rows drawn (independently per row) for each tree, in (0, 1].
   * @defaultValue 1
   */
  subsample: number;
  /**
   * Share of features drawn for each tree, in (0, 1]; at least one feature is always drawn.
   * @defaultValue 1
   */
  colsampleByTree: number;
  /**
   * Weight multiplier of positive rows (class weighting); it also enters the base score.
   * @defaultValue 1
   */
  scalePosWeight: number;
  /**
   * Maximum number of bins per feature for present values, 2–255 (one more bin holds missing values).
   * @defaultValue 255
   */
  maxBins: number;
  /**
   * Threads training runs on: 1 is the calling thread only; more adds worker threads that share binning, histograms,
   * gradients and partitioning. Small data sets train on one thread whatever this says (starting a worker costs
   * more than it saves there), and while sharing does not pay off (cores busy with other work) the work stays on the
   * calling thread for a while. The model is the same for any value.
   * @defaultValue 2
   */
  nThreads: number;
  /**
   * Seed of row and feature sampling; the same seed and data give the same model.
   * @defaultValue 0
   */
  seed: number;
  /**
   * Stop when the validation metric has not improved for this many rounds and keep the best round's trees;
   * 0 disables early stopping. Needs a validation set.
   * @defaultValue 0
   */
  earlyStoppingRounds: number;
  /**
   * Metric on the validation set: weighted mean log loss (lower is better) or ROC AUC (higher is better).
   * @defaultValue 'logloss'
   */
  evalMetric: EvalMetric;
}

export const DEFAULT_GBDT_OPTIONS: Readonly<GbdtOptions> = Object.freeze({
  nRounds: 100,
  learningRate: 0.3,
  maxDepth: 6,
  maxLeaves: 0,
  growPolicy: 'depthwise',
  minChildWeight: 1,
  lambda: 1,
  gamma: 0,
  subsample: 1,
  colsampleByTree: 1,
  scalePosWeight: 1,
  maxBins: 255,
  nThreads: 2,
  seed: 0,
  earlyStoppingRounds: 0,
  evalMetric: 'logloss',
});

type Check = (value: unknown) => string | undefined;

const describe = (value: unknown): string => (typeof value === 'string' ? JSON.stringify(value) : String(value));

const integer =
  (min: number, max: number): Check =>
  (v) =>
    typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? undefined : `expected a whole number from ${min} to ${max}, got ${describe(v)}`;

const number =
  (min: number, max: number, minExclusive: boolean): Check =>
  (v) =>
    typeof v === 'number' && Number.isFinite(v) && (minExclusive ? v > min : v >= min) && v <= max
      ? undefined
      : `expected a number ${minExclusive ? '>' : '>='} ${min}${max === Number.MAX_VALUE ? '' : ` and <= ${max}`}, got ${describe(v)}`;

const oneOf =
  (values: readonly string[]): Check =>
  (v) =>
    typeof v === 'string' && values.includes(v) ? undefined : `expected one of ${values.join(', ')}, got ${describe(v)}`;

const CHECKS: Record<keyof GbdtOptions, Check> = {
  nRounds: integer(1, 1_000_000),
  learningRate: number(0, 1, true),
  maxDepth: integer(0, 32),
  maxLeaves: integer(0, 1 << 20),
  growPolicy: oneOf(['depthwise', 'lossguide']),
  minChildWeight: number(0, Number.MAX_VALUE, false),
  lambda: number(0, Number.MAX_VALUE, false),
  gamma: number(0, Number.MAX_VALUE, false),
  subsample: number(0, 1, true),
  colsampleByTree: number(0, 1, true),
  scalePosWeight: number(0, Number.MAX_VALUE, true),
  maxBins: integer(2, 255),
  nThreads: integer(1, 64),
  seed: integer(0, 0xffffffff),
  earlyStoppingRounds: integer(0, 1_000_000),
  evalMetric: oneOf(['logloss', 'auc']),
};

/**
 * Checks every option and their combinations, reporting all problems at once as a {@link ValidationError} whose
 * issues have paths like `["options", "maxDepth"]`.
 */
export function assertGbdtOptions(options: GbdtOptions): void {
  const issues: FieldIssue[] = [];
  for (const key of Object.keys(options)) {
    const check = CHECKS[key as keyof GbdtOptions];
    if (!check) {
      issues.push({ path: ['options', key], message: `unknown option (known: ${Object.keys(CHECKS).join(', ')})` });
      continue;
    }
    const message = check(options[key as keyof GbdtOptions]);
    if (message) issues.push({ path: ['options', key], message });
  }
  if (!issues.length && options.maxDepth === 0 && !(options.growPolicy === 'lossguide' && options.maxLeaves > 0)) {
    issues.push({ path: ['options', 'maxDepth'], message: "0 (no depth limit) needs growPolicy 'lossguide' and a positive maxLeaves" });
  }
  if (issues.length) {
    throw new ValidationError(`invalid GBDT options: ${issues.map((i) => `${i.path.slice(1).join('.')}: ${i.message}`).join('; ')}`, issues);
  }
}

/** Fills unset options with {@link DEFAULT_GBDT_OPTIONS} and validates the result with {@link assertGbdtOptions}. */
export function resolveGbdtOptions(options: Partial<GbdtOptions> = {}): GbdtOptions {
  const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const resolved = { ...DEFAULT_GBDT_OPTIONS, ...defined } as GbdtOptions;
  assertGbdtOptions(resolved);
  return resolved;
}
