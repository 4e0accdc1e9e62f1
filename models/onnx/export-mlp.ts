import type { onnx } from 'onnx-proto';
import type { MlpModel } from '../mlp/mlp-model';
import { calibrationNodes } from './calibration-nodes';
import { ONNX_INPUT, ONNX_OUTPUT, type OnnxExportOptions } from './export-gbdt';
import { encodeModel, floatInput, floatTensor, int64Tensor, node } from './onnx-builder';

/**
 * Exports the network with standard operators, preprocessing and calibration included: signed log
 * (Sign · Log(1 + Abs)), NaN → fill (IsNaN + Where), standardisation, missing indicators (Cast + Gather + Concat),
 * then MatMul/Add/Relu layers to the margin, then the calibrator.
 */
export function exportMlpToOnnx(model: MlpModel, options: OnnxExportOptions): Uint8Array {
  const p = model.preprocessing;
  const F = p.nFeatures;
  if (options.featureNames.length !== F) throw new RangeError(`featureNames: expected ${F} names, got ${options.featureNames.length}`);
  const nodes: onnx.INodeProto[] = [
    node('Abs', [ONNX_INPUT], ['x_abs']),
    node('Add', ['x_abs', 'one'], ['x_abs1']),
    node('Log', ['x_abs1'], ['x_log']),
    node('Sign', [ONNX_INPUT], ['x_sign']),
    node('Mul', ['x_sign', 'x_log'], ['x_slog']),
    node('IsNaN', [ONNX_INPUT], ['x_nan']),
    node('Where', ['x_nan', 'fill', 'x_slog'], ['x_filled']),
    node('Sub', ['x_filled', 'mean'], ['x_centred']),
    node('Div', ['x_centred', 'std'], ['x_std']),
  ];
  const initializers: onnx.ITensorProto[] = [
    floatTensor('one', [1], [1]),
    floatTensor('fill', [1, F], p.fill),
    floatTensor('mean', [1, F], p.mean),
    floatTensor('std', [1, F], p.std),
  ];
  let h = 'x_std';
  if (p.missingColumns.length > 0) {
    nodes.push(
      node('Cast', ['x_nan'], ['x_nan_f'], { to: { int: 1 } }),
      node('Gather', ['x_nan_f', 'missing_columns'], ['x_missing'], { axis: { int: 1 } }),
      node('Concat', ['x_std', 'x_missing'], ['x_input'], { axis: { int: 1 } }),
    );
    initializers.push(int64Tensor('missing_columns', [p.missingColumns.length], p.missingColumns));
    h = 'x_input';
  }
  model.layers.forEach((layer, l) => {
    initializers.push(floatTensor(`w${l}`, [layer.inputs, layer.units], layer.weights), floatTensor(`b${l}`, [layer.units], layer.bias));
    const last = l === model.layers.length - 1;
    nodes.push(node('MatMul', [h, `w${l}`], [`mm${l}`]), node('Add', [`mm${l}`, `b${l}`], [last ? 'margin' : `z${l}`]));
    if (!last) nodes.push(node('Relu', [`z${l}`], [`h${l}`]));
    h = `h${l}`;
  });
  const calibration = calibrationNodes(options.calibrator, 'margin', ONNX_OUTPUT);
  return encodeModel({
    graphName: 'vigil_mlp',
    nodes: [...nodes, ...calibration.nodes],
    initializers: [...initializers, ...calibration.initializers],
    inputs: [floatInput(ONNX_INPUT, F)],
    outputs: [floatInput(ONNX_OUTPUT, 1)],
    metadata: { ...options.metadata, feature_names: options.featureNames.join(','), model_kind: 'mlp' },
  });
}
