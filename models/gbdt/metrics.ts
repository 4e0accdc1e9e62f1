/** Validation metrics computed from margins (log-odds), used by early stopping. */

/** `log(1 + e^z)` without overflow. */
function softplus(z: number): number {
  return Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
}

/** Weighted mean logistic loss of margins against 0/1 labels (lower is better). */
export function logLoss(margin: Float64Array, y: ArrayLike<number>, weight?: ArrayLike<number>): number {
  let loss = 0;
  let total = 0;
  for (let i = 0; i < margin.length; i++) {
    const w = weight ? weight[i]! : 1;
    loss += w * softplus(y[i] === 1 ? -margin[i]! : margin[i]!);
    total += w;
  }
  return loss / total;
}

/**
 * Weighted ROC AUC: the probability that a random positive scores above a random negative, ties counting one half.
 * NaN when one class has no weight.
 */
export function rocAuc(score: Float64Array, y: ArrayLike<number>, weight?: ArrayLike<number>): number {
  const order = new Uint32Array(score.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  order.sort((a, b) => score[a]! - score[b]!);
  let negBelow = 0;
  let area = 0;
  let totalPos = 0;
  for (let i = 0; i < order.length; ) {
    const s = score[order[i]!]!;
    let pos = 0;
    let neg = 0;
    for (; i < order.length && score[order[i]!] === s; i++) {
      const j = order[i]!;
      const w = weight ? weight[j]! : 1;
      if (y[j] === 1) pos += w;
      else neg += w;
    }
    area += pos * (negBelow + neg / 2);
    negBelow += neg;
    totalPos += pos;
  }
  return area / (totalPos * negBelow);
}
