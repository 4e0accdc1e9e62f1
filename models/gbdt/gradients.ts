/** Smallest hessian of a row, as in XGBoost: keeps leaf weights finite when predictions saturate. */
const MIN_HESSIAN = 1e-16;

/**
 * Logistic-loss gradient and hessian of rows `from .. to - 1` into `gh` (interleaved): `g = (p - y)·w`,
 * `h = p(1 - p)·w` with `p = sigmoid(margin)`.
 */
export function logisticGradients(margin: Float64Array, labels: Uint8Array, weight: Float64Array, gh: Float64Array, from: number, to: number): void {
  for (let i = from; i < to; i++) {
    const p = 1 / (1 + Math.exp(-margin[i]!));
    const w = weight[i]!;
    gh[2 * i] = (p - labels[i]!) * w;
    gh[2 * i + 1] = Math.max(p * (1 - p), MIN_HESSIAN) * w;
  }
}
