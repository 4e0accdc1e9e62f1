import type { Calibrator } from '../calibrator';
import type { GbdtModel } from '../gbdt/model';
import { calibrationNodes } from './calibration-nodes';
import { encodeModel, floatInput, node } from './onnx-builder';

export interface OnnxExportOptions {
  /** Feature names in input order (recorded in the model's metadata). */
  featureNames: readonly string[];
  calibrator: Calibrator;
  metadata?: Record<string, string>;
}

/** Name of the input tensor ([N, nFeatures] float32, NaN = missing) and output tensor ([N, 1] probability). */
export const ONNX_INPUT = 'features';
export const ONNX_OUTPUT = 'probability';

/**
 * Exports trees as an `ai.onnx.ml` TreeEnsembleRegressor summing leaf values to the log-odds margin (base score as
 * base value), followed by the calibrator: the file maps a feature vector to a calibrated fraud probability.
 * `BRANCH_LT` sends `x < threshold` to the true (left) child; `nodes_missing_value_tracks_true` sends NaN left where
 * the tree learned to.
 */
export function exportGbdtToOnnx(model: GbdtModel, options: OnnxExportOptions): Uint8Array {
  if (options.featureNames.length !== model.nFeatures) {
    throw new RangeError(`featureNames: expected ${model.nFeatures} names, got ${options.featureNames.length}`);
  }
  const treeIds: number[] = [];
  const nodeIds: number[] = [];
  const featureIds: number[] = [];
  const modes: string[] = [];
  const values: number[] = [];
  const trueIds: number[] = [];
  const falseIds: number[] = [];
  const missingTrue: number[] = [];
  const targetTree: number[] = [];
  const targetNode: number[] = [];
  const targetWeight: number[] = [];
  model.trees.forEach((tree, t) => {
    for (let n = 0; n < tree.feature.length; n++) {
      const f = tree.feature[n] as number;
      treeIds.push(t);
      nodeIds.push(n);
      if (f < 0) {
        featureIds.push(0);
        modes.push('LEAF');
        values.push(0);
        trueIds.push(0);
        falseIds.push(0);
        missingTrue.push(0);
        targetTree.push(t);
        targetNode.push(n);
        targetWeight.push(tree.value[n] as number);
      } else {
        featureIds.push(f);
        modes.push('BRANCH_LT');
        values.push(tree.threshold[n] as number);
        trueIds.push(tree.left[n] as number);
        falseIds.push(tree.right[n] as number);
        missingTrue.push(tree.defaultLeft[n] as number);
      }
    }
  });
  const ensemble = node(
    'TreeEnsembleRegressor',
    [ONNX_INPUT],
    ['margin'],
    {
      n_targets: { int: 1 },
      aggregate_function: { string: 'SUM' },
      post_transform: { string: 'NONE' },
      base_values: { floats: [model.baseScore] },
      nodes_treeids: { ints: treeIds },
      nodes_nodeids: { ints: nodeIds },
      nodes_featureids: { ints: featureIds },
      nodes_modes: { strings: modes },
      nodes_values: { floats: values },
      nodes_truenodeids: { ints: trueIds },
      nodes_falsenodeids: { ints: falseIds },
      nodes_missing_value_tracks_true: { ints: missingTrue },
      target_treeids: { ints: targetTree },
      target_nodeids: { ints: targetNode },
      target_ids: { ints: new Array<number>(targetTree.length).fill(0) },
      target_weights: { floats: targetWeight },
    },
    'ai.onnx.ml',
  );
  const calibration = calibrationNodes(options.calibrator, 'margin', ONNX_OUTPUT);
  return encodeModel({
    graphName: 'vigil_gbdt',
    nodes: [ensemble, ...calibration.nodes],
    initializers: calibration.initializers,
    inputs: [floatInput(ONNX_INPUT, model.nFeatures)],
    outputs: [floatInput(ONNX_OUTPUT, 1)],
    metadata: { ...options.metadata, feature_names: options.featureNames.join(','), model_kind: 'gbdt' },
  });
}
