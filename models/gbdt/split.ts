/**
 * Split finding on gradient histograms with XGBoost's second-order objective (Chen & Guestrin 2016, eq. 6–7):
 * a leaf holding gradient sum G and hessian sum H has the optimal weight `-G / (H + λ)` and the score `G² / (H + λ)`;
 * a split's gain is the children's scores minus the parent's. Like XGBoost (and unlike the paper's ½ factor) the
 * gain is compared with `gamma` as is, so the numbers match XGBoost's `gain` importance.
 */

/** Regularisation that decides whether and where a node splits. */
export interface SplitParams {
  lambda: number;
  minChildWeight: number;
  gamma: number;
}

/** The best split found for a node (mutable, reused across nodes). */
export interface SplitCandidate {
  gain: number;
  feature: number;
  /**
   * Last bin of present values that goes left: bins `0 .. bin` go left. `-1` sends every present value right
   * (a "missing vs present" split, missing going left).
   */
  bin: number;
  /** Where missing values go. */
  defaultLeft: boolean;
  gradLeft: number;
  hessLeft: number;
  gradRight: number;
  hessRight: number;
}

/**
 * Gains at or below this never split: XGBoost's `kRtEps`, so rounding noise in histogram sums cannot create splits
 * that gain nothing.
 */
export const MIN_GAIN = 1e-6;

/** Optimal leaf weight before shrinkage: `-G / (H + λ)`; 0 for a leaf without weight (no rows drawn, λ = 0). */
export function leafWeight(grad: number, hess: number, lambda: number): number {
  const denominator = hess + lambda;
  return denominator > 0 ? -grad / denominator : 0;
}

/** A candidate that any real split beats. */
export function emptyCandidate(): SplitCandidate {
  return { gain: -Infinity, feature: -1, bin: -1, defaultLeft: false, gradLeft: 0, hessLeft: 0, gradRight: 0, hessRight: 0 };
}

function consider(
  best: SplitCandidate,
  gl: number,
  hl: number,
  gr: number,
  hr: number,
  parentScore: number,
  p: SplitParams,
  feature: number,
  bin: number,
  defaultLeft: boolean,
): void {
  // `> 0` as well as `>= minChildWeight`: with minChildWeight 0 a child must still hold some (weighted) rows.
  if (!(hl > 0 && hr > 0 && hl >= p.minChildWeight && hr >= p.minChildWeight)) return;
  const gain = (gl * gl) / (hl + p.lambda) + (gr * gr) / (hr + p.lambda) - parentScore;
  if (gain > best.gain) {
    best.gain = gain;
    best.feature = feature;
    best.bin = bin;
    best.defaultLeft = defaultLeft;
    best.gradLeft = gl;
    best.hessLeft = hl;
    best.gradRight = gr;
    best.hessRight = hr;
  }
}

/**
 * Scans features `features[from .. to)` of a node's histogram and records in `best` any split better than it
 * already holds. Every boundary is tried with missing values going right and (when the node has missing values)
 * going left, plus "missing vs present"; when the node has no missing values the default direction is the child
 * with more cover, the likelier path for a value never seen missing. Ties keep the first candidate (lower feature,
 * lower bin, missing right first), so the result does not depend on how features were shared among threads.
 */
export function findBestSplit(
  hist: Float64Array,
  features: Int32Array,
  from: number,
  to: number,
  histOffset: Int32Array,
  nBins: Int32Array,
  nodeGrad: number,
  nodeHess: number,
  params: SplitParams,
  best: SplitCandidate,
): void {
  const parentScore = (nodeGrad * nodeGrad) / (nodeHess + params.lambda);
  for (let k = from; k < to; k++) {
    const f = features[k]!;
    const off = 2 * histOffset[f]!;
    const n = nBins[f]!;
    // Sums of present bins only: when every present row is on one side the other side's sums are then exactly 0.
    let presentG = 0;
    let presentH = 0;
    for (let j = off, end = off + 2 * n; j < end; j += 2) {
      presentG += hist[j]!;
      presentH += hist[j + 1]!;
    }
    const missG = hist[off + 2 * n]!;
    const missH = hist[off + 2 * n + 1]!;
    const hasMissing = missH > 0;
    if (hasMissing) consider(best, missG, missH, presentG, presentH, parentScore, params, f, -1, true);
    let cg = 0;
    let ch = 0;
    for (let b = 0; b + 1 < n; b++) {
      cg += hist[off + 2 * b]!;
      ch += hist[off + 2 * b + 1]!;
      const rg = presentG - cg;
      const rh = presentH - ch;
      if (hasMissing) {
        consider(best, cg, ch, rg + missG, rh + missH, parentScore, params, f, b, false);
        consider(best, cg + missG, ch + missH, rg, rh, parentScore, params, f, b, true);
      } else {
        consider(best, cg, ch, rg, rh, parentScore, params, f, b, ch >= rh);
      }
    }
  }
}
