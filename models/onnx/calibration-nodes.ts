import type { onnx } from 'onnx-proto';
import type { Calibrator } from '../calibrator';
import { floatTensor, int64Tensor, node } from './onnx-builder';

/**
 * Graph nodes that map the [N,1] margin tensor `margin` to the calibrated [N,1] probability `output`, computing
 * exactly {@link applyCalibrator}: Platt as Mul/Add/Sigmoid; isotonic as a sum of clipped linear segments,
 * y0 + Σ slope_i · (min(max(s, x_i), x_{i+1}) − x_i), which is the knot interpolation clipped at both ends.
 */
export function calibrationNodes(c: Calibrator, margin: string, output: string): { nodes: onnx.INodeProto[]; initializers: onnx.ITensorProto[] } {
  if (c.kind === 'platt') {
    return {
      nodes: [node('Mul', [margin, 'platt_a'], ['platt_scaled']), node('Add', ['platt_scaled', 'platt_b'], ['platt_z']), node('Sigmoid', ['platt_z'], [output])],
      initializers: [floatTensor('platt_a', [1], [c.a]), floatTensor('platt_b', [1], [c.b])],
    };
  }
  const lo: number[] = [];
  const hi: number[] = [];
  const slope: number[] = [];
  for (let i = 0; i + 1 < c.x.length; i++) {
    const x0 = c.x[i] as number;
    const x1 = c.x[i + 1] as number;
    // A jump (equal knots) cannot be written as a clipped segment; isotonic fits give strictly increasing knots.
    if (x1 <= x0) throw new RangeError(`isotonic knots must be strictly increasing, got x[${i}] = ${x0}, x[${i + 1}] = ${x1}`);
    lo.push(x0);
    hi.push(x1);
    slope.push(((c.y[i + 1] as number) - (c.y[i] as number)) / (x1 - x0));
  }
  if (slope.length === 0) {
    return {
      nodes: [node('Mul', [margin, 'iso_zero'], ['iso_zeroed']), node('Add', ['iso_zeroed', 'iso_y0'], [output])],
      initializers: [floatTensor('iso_zero', [1], [0]), floatTensor('iso_y0', [1], [c.y[c.y.length - 1] as number])],
    };
  }
  const k = slope.length;
  return {
    nodes: [
      node('Max', [margin, 'iso_lo'], ['iso_above']),
      node('Min', ['iso_above', 'iso_hi'], ['iso_clipped']),
      node('Sub', ['iso_clipped', 'iso_lo'], ['iso_run']),
      node('Mul', ['iso_run', 'iso_slope'], ['iso_rise']),
      node('ReduceSum', ['iso_rise', 'iso_axes'], ['iso_sum'], { keepdims: { int: 1 } }),
      node('Add', ['iso_sum', 'iso_y0'], [output]),
    ],
    initializers: [
      floatTensor('iso_lo', [1, k], lo),
      floatTensor('iso_hi', [1, k], hi),
      floatTensor('iso_slope', [1, k], slope),
      floatTensor('iso_y0', [1], [c.y[0] as number]),
      int64Tensor('iso_axes', [1], [1]),
    ],
  };
}
