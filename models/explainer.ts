import { z } from 'zod';
import { GbdtModel } from './gbdt/model';
import { mlpPredictRaw, type MlpModel } from './mlp/mlp-model';

/**
 * Per-feature contributions to one prediction's log-odds margin, for reason codes. Trees use TreeSHAP (exact
 * Shapley values of the tree ensemble); networks use occlusion against the training mean: the margin drop when one
 * feature is replaced by "typical" (treated as missing, which the network's preprocessing fills with the mean).
 */
export interface Explainer {
  contributions(features: Float32Array): Float64Array;
}

/** `model.json` of an artifact: the in-process model the ONNX file was exported from. */
export const modelJsonSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('gbdt'), model: z.unknown() }),
  z.object({ kind: z.literal('mlp'), model: z.unknown() }),
]);
export type ModelJson = z.infer<typeof modelJsonSchema>;

export function createExplainer(json: ModelJson): Explainer {
  if (json.kind === 'gbdt') {
    const model = GbdtModel.fromJSON(json.model);
    const out = new Float64Array(model.nFeatures + 1);
    return { contributions: (x) => model.contributions(x, out).slice(0, model.nFeatures) };
  }
  const model = json.model as MlpModel;
  const n = model.preprocessing.nFeatures;
  return {
    contributions(x) {
      // Row 0 is the input itself; row f + 1 has feature f occluded (NaN → filled with the training mean).
      const batch = new Float32Array((n + 1) * n);
      for (let r = 0; r <= n; r++) batch.set(x, r * n);
      for (let f = 0; f < n; f++) batch[(f + 1) * n + f] = Number.NaN;
      const margins = mlpPredictRaw(model, batch);
      return Float64Array.from({ length: n }, (_, f) => (margins[0] as number) - (margins[f + 1] as number));
    },
  };
}
