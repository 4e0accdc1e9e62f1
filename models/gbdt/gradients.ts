/** Smallest hessian of a row, as in XGBoost: keeps leaf weights finite when predictions saturate. */
const MIN_HESSIAN = 1e-16;

/**
 * Logistic-loss gradient and hessian of rows `from .. to - 1` into `gh` (interleaved): `g = (p - y)·w`,
 * `h = p(1 - p)·w` with `p = sigmoid(margin) = 1 / (1 + exp(-margin))`, from each row's `exp(-margin)`.
 */
export function logisticGradients(expNegMargin: Float64Array, labels: Uint8Array, weight: Float64Array, gh: Float64Array, from: number, to: number): void {
  for (let i = from; i < to; i++) {
    const p = 1 / (1 + expNegMargin[i]!);
    const w = weight[i]!;
    gh[2 * i] = (p - labels[i]!) * w;
    gh[2 * i + 1] = Math.max(p * (1 - p), MIN_HESSIAN) * w;
  }
}

/** Range of `exp(-margin)` kept by multiplication; outside it (|margin| > 230) it is recomputed from the margin. */
const MIN_EXP_NEG_MARGIN = 1e-100;
const MAX_EXP_NEG_MARGIN = 1e100;

/**
 * Adds `value` to row `r`'s margin and keeps its `exp(-margin)` in step by multiplying it with `factor` =
 * `exp(-value)`, computed once per leaf: an exponential per row and round was a tenth of training time. The
 * product drifts from `exp(-margin)` by a few rounding errors per round at most; near overflow or underflow, where
 * a product could no longer come back, it is recomputed.
 */
export function addToMargin(margin: Float64Array, expNegMargin: Float64Array, r: number, value: number, factor: number): void {
  const m = (margin[r]! += value);
  const e = expNegMargin[r]! * factor;
  expNegMargin[r] = e > MIN_EXP_NEG_MARGIN && e < MAX_EXP_NEG_MARGIN ? e : Math.exp(-m);
}
