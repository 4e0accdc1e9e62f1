/**
 * Input preparation built into the network (and into its ONNX graph): a signed log, x ↦ sign(x)·ln(1 + |x|), tames
 * heavy-tailed counts and amounts; missing values take the training mean; then standardisation; and for each
 * feature that was ever missing in training, a 0/1 "was missing" input, so unknown stays distinguishable from
 * typical.
 */
export interface Preprocessing {
  nFeatures: number;
  /** Per feature, after the signed log: the fill value for NaN, the mean and the standard deviation. */
  fill: number[];
  mean: number[];
  std: number[];
  /** Features that get a missing-indicator input, in order. */
  missingColumns: number[];
}

export const signedLog = (x: number): number => Math.sign(x) * Math.log1p(Math.abs(x));

export function fitPreprocessing(X: Float32Array, nFeatures: number): Preprocessing {
  const rows = X.length / nFeatures;
  const sum = new Float64Array(nFeatures);
  const sumSq = new Float64Array(nFeatures);
  const count = new Float64Array(nFeatures);
  for (let i = 0; i < rows; i++) {
    for (let f = 0; f < nFeatures; f++) {
      const x = X[i * nFeatures + f] as number;
      if (Number.isNaN(x)) continue;
      const v = signedLog(x);
      sum[f]! += v;
      sumSq[f]! += v * v;
      count[f]! += 1;
    }
  }
  const fill: number[] = [];
  const mean: number[] = [];
  const std: number[] = [];
  const missingColumns: number[] = [];
  for (let f = 0; f < nFeatures; f++) {
    const n = count[f] as number;
    const m = n > 0 ? (sum[f] as number) / n : 0;
    // Variance of the filled column (missing rows sit at the mean and add no spread).
    const variance = rows > 0 && n > 0 ? (sumSq[f] as number) / rows - (m * m * n) / rows : 0;
    fill.push(m);
    mean.push(m);
    std.push(Math.sqrt(Math.max(variance, 0)) || 1);
    if (n < rows) missingColumns.push(f);
  }
  return { nFeatures, fill, mean, std, missingColumns };
}

/** Width of the network's input: features plus missing indicators. */
export const inputWidth = (p: Preprocessing): number => p.nFeatures + p.missingColumns.length;

/** The network input for a row-major feature matrix. */
export function preprocess(p: Preprocessing, X: Float32Array): Float32Array {
  const rows = X.length / p.nFeatures;
  const width = inputWidth(p);
  const out = new Float32Array(rows * width);
  for (let i = 0; i < rows; i++) {
    const src = i * p.nFeatures;
    const dst = i * width;
    for (let f = 0; f < p.nFeatures; f++) {
      const x = X[src + f] as number;
      const v = Number.isNaN(x) ? (p.fill[f] as number) : signedLog(x);
      out[dst + f] = (v - (p.mean[f] as number)) / (p.std[f] as number);
    }
    p.missingColumns.forEach((f, j) => {
      out[dst + p.nFeatures + j] = Number.isNaN(X[src + f] as number) ? 1 : 0;
    });
  }
  return out;
}
