import { inputWidth, preprocess, type Preprocessing } from './preprocess';

/** One dense layer: `out = act(in · W + b)`, W row-major [inputs × units]. */
export interface DenseLayer {
  inputs: number;
  units: number;
  weights: number[];
  bias: number[];
  activation: 'relu' | 'linear';
}

/** A trained network: preprocessing, then dense layers ending in one logit (the log-odds margin). */
export interface MlpModel {
  kind: 'mlp';
  preprocessing: Preprocessing;
  layers: DenseLayer[];
}

/** Margins (log-odds) for a row-major feature matrix, computed in plain JS as the ONNX graph does. */
export function mlpPredictRaw(model: MlpModel, X: Float32Array): Float64Array {
  const input = preprocess(model.preprocessing, X);
  const width = inputWidth(model.preprocessing);
  const rows = input.length / width;
  const out = new Float64Array(rows);
  let current = new Float64Array(Math.max(width, ...model.layers.map((l) => l.units)));
  let next = new Float64Array(current.length);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < width; j++) current[j] = input[i * width + j] as number;
    for (const layer of model.layers) {
      const { inputs, units, weights, bias } = layer;
      for (let u = 0; u < units; u++) {
        let s = bias[u] as number;
        for (let k = 0; k < inputs; k++) s += (current[k] as number) * (weights[k * units + u] as number);
        next[u] = layer.activation === 'relu' && s < 0 ? 0 : s;
      }
      [current, next] = [next, current];
    }
    out[i] = current[0] as number;
  }
  return out;
}
