import { onnx } from 'onnx-proto';
import { ONNX_INPUT } from './export-gbdt';

/** What an ONNX file itself says about the features it takes. */
export interface OnnxModelInfo {
  /** Width of the input tensor; undefined when the model has no such input or leaves its width open. */
  inputWidth: number | undefined;
  /** The model's metadata properties (the exporters record event_type, feature_set_version, feature_names, model_kind). */
  metadata: Record<string, string>;
}

/** Decodes the parts of an ONNX file that must agree with its manifest; throws on bytes that are not an ONNX model. */
export function readOnnxModelInfo(bytes: Uint8Array): OnnxModelInfo {
  const model = onnx.ModelProto.decode(bytes);
  const width = model.graph?.input?.find((i) => i.name === ONNX_INPUT)?.type?.tensorType?.shape?.dim?.[1]?.dimValue;
  return {
    // int64 fields decode as Long objects (or numbers): both print as decimal.
    inputWidth: width === undefined || width === null ? undefined : Number(String(width)),
    metadata: Object.fromEntries(model.metadataProps.map((p) => [p.key ?? '', p.value ?? ''])),
  };
}
