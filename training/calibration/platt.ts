import { assertBinaryInputs, assertNotEmpty, type Labels, type Scores } from '../metrics/binary-inputs';

/** Platt scaling parameters: p = 1 / (1 + exp(−(a·s + b))) for a raw score (logit, margin) s. */
export interface PlattParameters {
  a: number;
  b: number;
}

/** Iteration limits of {@link fitPlatt}. */
export interface PlattOptions {
  /** @defaultValue 100 (Lin, Lin & Weng's choice; Newton needs far fewer) */
  maxIterations?: number;
}

/** Newton stops once both components of the mean gradient are below this. */
const GRADIENT_TOLERANCE = 1e-9;
/** Added to the Hessian's diagonal so a degenerate one (all scores equal) still inverts (Lin et al.'s σ). */
const HESSIAN_RIDGE = 1e-12;
/** A line search that must shrink the step below this has reached the limit of floating point: stop. */
const MIN_STEP = 1e-10;

/** σ(z) = 1 / (1 + e^(−z)) without overflow for large |z|. */
export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** ln(1 + e^z) without overflow. */
function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

/** The calibrated probability of a raw score. */
export function plattProbability({ a, b }: PlattParameters, score: number): number {
  return sigmoid(a * score + b);
}

/**
 * Fits Platt scaling by Newton's method with a backtracking line search on the mean cross-entropy against Platt's
 * smoothed targets: (N₊ + 1)/(N₊ + 2) for frauds and 1/(N₋ + 2) for legit events, which keep a and b finite even
 * when the scores separate the classes perfectly. After J. Platt, "Probabilistic Outputs for Support Vector
 * Machines and Comparisons to Regularized Likelihood Methods" (1999), §2.2, in the numerically safe form of
 * H.-T. Lin, C.-J. Lin and R. C. Weng, "A Note on Platt's Probabilistic Outputs for Support Vector Machines"
 * (Machine Learning 68, 2007), Algorithm 1. Platt writes P = 1/(1 + exp(A·f + B)); here a = −A and b = −B.
 */
export function fitPlatt(scores: Scores, labels: Labels, options: PlattOptions = {}): PlattParameters {
  assertBinaryInputs(scores, labels);
  const n = scores.length;
  assertNotEmpty(scores, 'fit Platt scaling');
  const maxIterations = options.maxIterations ?? 100;
  let nPos = 0;
  for (let i = 0; i < n; i++) nPos += labels[i]!;
  const nNeg = n - nPos;
  const hiTarget = (nPos + 1) / (nPos + 2);
  const loTarget = 1 / (nNeg + 2);
  const target = (i: number): number => (labels[i] === 1 ? hiTarget : loTarget);

  // Mean loss: Σ softplus(z) − t·z over events, divided by n so the tolerances do not depend on the set's size.
  const loss = (a: number, b: number): number => {
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const z = a * scores[i]! + b;
      sum += softplus(z) - target(i) * z;
    }
    return sum / n;
  };

  let a = 0;
  let b = Math.log((nPos + 1) / (nNeg + 1)); // the smoothed base rate, Platt's starting point
  let f = loss(a, b);
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    let gA = 0;
    let gB = 0;
    let hAA = 0;
    let hAB = 0;
    let hBB = 0;
    for (let i = 0; i < n; i++) {
      const s = scores[i]!;
      const z = a * s + b;
      const p = sigmoid(z);
      const w = p * sigmoid(-z); // p(1 − p), without the cancellation of 1 − p near p = 1
      const d = p - target(i);
      gA += d * s;
      gB += d;
      hAA += w * s * s;
      hAB += w * s;
      hBB += w;
    }
    gA /= n;
    gB /= n;
    hAA = hAA / n + HESSIAN_RIDGE;
    hAB /= n;
    hBB = hBB / n + HESSIAN_RIDGE;
    if (Math.abs(gA) < GRADIENT_TOLERANCE && Math.abs(gB) < GRADIENT_TOLERANCE) break;

    const det = hAA * hBB - hAB * hAB;
    const dA = -(hBB * gA - hAB * gB) / det;
    const dB = -(hAA * gB - hAB * gA) / det;
    const slope = gA * dA + gB * dB;
    let step = 1;
    for (; step >= MIN_STEP; step /= 2) {
      const fNew = loss(a + step * dA, b + step * dB);
      if (fNew < f + 1e-4 * step * slope) {
        a += step * dA;
        b += step * dB;
        f = fNew;
        break;
      }
    }
    if (step < MIN_STEP) break;
  }
  return { a, b };
}
