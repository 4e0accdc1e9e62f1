import { z } from 'zod';

/** Decision thresholds on the calibrated probability, per event type. */
export const thresholdsSchema = z.object({
  /** At or above: ask for more verification. */
  step_up: z.number().min(0).max(1),
  /** At or above: freeze pending review (withdrawals). */
  hold: z.number().min(0).max(1).optional(),
  /** At or above: refuse outright. */
  block: z.number().min(0).max(1).optional(),
});

/**
 * `manifest.json`: what a model artifact is and how it was made. Serving refuses an artifact whose manifest does not
 * match its ONNX file (sha256) or the running feature definitions (names, order, feature set version).
 */
export const manifestSchema = z.object({
  name: z.string().min(1),
  version: z.string().regex(/^[A-Za-z0-9._-]+$/),
  eventType: z.enum(['login', 'withdrawal']),
  algorithm: z.enum(['gbdt', 'mlp']),
  featureSetVersion: z.string().min(1),
  featureNames: z.array(z.string().min(1)).min(1),
  thresholds: thresholdsSchema,
  calibration: z.object({ kind: z.enum(['platt', 'isotonic']) }).passthrough(),
  onnxSha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** sha256 of `model.json`, the in-process model that explains decisions. */
  modelJsonSha256: z.string().regex(/^[0-9a-f]{64}$/),
  createdAt: z.string(),
  training: z
    .object({
      trainFrom: z.string(),
      trainTo: z.string(),
      validationFrom: z.string(),
      testFrom: z.string(),
      testTo: z.string(),
      rows: z.number(),
      positives: z.number(),
    })
    .passthrough(),
  dataHashes: z.object({ events: z.string(), labels: z.string() }),
  metrics: z.record(z.string(), z.unknown()),
});

export type Manifest = z.infer<typeof manifestSchema>;
export type Thresholds = z.infer<typeof thresholdsSchema>;
