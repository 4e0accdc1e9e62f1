import * as ort from 'onnxruntime-node';
import { ONNX_INPUT, ONNX_OUTPUT } from './export-gbdt';

/**
 * A loaded ONNX model: the one path from a feature matrix to calibrated probabilities, shared by `vigil evaluate`,
 * export checks and serving. Sessions run on one intra-op thread: scoring is one small batch per request, where
 * thread hand-offs cost more than they save, and the service's concurrency comes from requests.
 */
export class OnnxSession {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly nFeatures: number,
  ) {}

  static async load(model: Uint8Array | string, nFeatures: number): Promise<OnnxSession> {
    const options: ort.InferenceSession.SessionOptions = { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' };
    const session = typeof model === 'string' ? await ort.InferenceSession.create(model, options) : await ort.InferenceSession.create(model, options);
    if (!session.inputNames.includes(ONNX_INPUT)) {
      throw new Error(`model has no input '${ONNX_INPUT}' (inputs: ${session.inputNames.join(', ')})`);
    }
    if (!session.outputNames.includes(ONNX_OUTPUT)) {
      throw new Error(`model has no output '${ONNX_OUTPUT}' (outputs: ${session.outputNames.join(', ')})`);
    }
    return new OnnxSession(session, nFeatures);
  }

  /** Probabilities for a row-major [rows × nFeatures] float32 matrix (NaN = missing). */
  async predict(X: Float32Array): Promise<Float32Array> {
    const rows = X.length / this.nFeatures;
    if (!Number.isInteger(rows)) throw new RangeError(`X: length ${X.length} is not a multiple of ${this.nFeatures} features`);
    const result = await this.session.run({ [ONNX_INPUT]: new ort.Tensor('float32', X, [rows, this.nFeatures]) });
    return (result[ONNX_OUTPUT] as ort.Tensor).data as Float32Array;
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
