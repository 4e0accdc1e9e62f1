import type { Calibrator } from '../models/calibrator';
import type { ModelJson } from '../models/explainer';
import { fitGbdt } from '../models/gbdt/train';
import type { GbdtOptions } from '../models/gbdt/options';
import { mlpPredictRaw } from '../models/mlp/mlp-model';
import { fitMlp, type MlpOptions } from '../models/mlp/train-mlp';
import { exportGbdtToOnnx } from '../models/onnx/export-gbdt';
import { exportMlpToOnnx } from '../models/onnx/export-mlp';
import type { TrainingTable } from './training-set';

export type Algorithm = 'gbdt' | 'mlp';

/** A fitted model of either kind, seen through what training needs from it. */
export interface Candidate {
  algorithm: Algorithm;
  /** Raw margins (log-odds before calibration) for a row-major matrix. */
  predictRaw(X: Float32Array): Float64Array;
  exportOnnx(calibrator: Calibrator, featureNames: readonly string[], metadata: Record<string, string>): Uint8Array;
  /** The in-process model as `model.json` (serving explains decisions with it). */
  toJson(): ModelJson;
  /** Importance per feature (gain for trees); undefined when the model has none of its own. */
  importance: Float64Array | undefined;
  /** What fitting did: rounds/epochs, best iteration, seconds, backend. */
  fitInfo: Record<string, unknown>;
}

export interface FitOptions {
  gbdt?: Partial<GbdtOptions>;
  mlp?: Partial<MlpOptions>;
  onProgress?: (message: string) => void;
  /** Called after every boosting round or epoch: how far the fit is (`done` of at most `total`). */
  onStep?: (algorithm: Algorithm, done: number, total: number) => void;
}

export async function fitCandidate(algorithm: Algorithm, fit: TrainingTable, labelsFit: Uint8Array, validation: TrainingTable, labelsVal: Uint8Array, options: FitOptions = {}): Promise<Candidate> {
  const started = Date.now();
  const nFeatures = fit.featureNames.length;
  if (algorithm === 'gbdt') {
    const positives = labelsFit.reduce((a, b) => a + b, 0);
    const nRounds = options.gbdt?.nRounds ?? 400;
    const result = await fitGbdt({
      train: { X: fit.X, nFeatures, y: labelsFit },
      validation: { X: validation.X, nFeatures, y: labelsVal },
      featureNames: fit.featureNames,
      options: {
        nRounds,
        learningRate: 0.08,
        maxDepth: 6,
        minChildWeight: 2,
        subsample: 0.8,
        colsampleByTree: 0.8,
        // Rare fraud: weigh positives up, but only by the square root of the imbalance so probabilities stay sane
        // before calibration.
        scalePosWeight: Math.sqrt(Math.max(1, (labelsFit.length - positives) / Math.max(1, positives))),
        earlyStoppingRounds: 30,
        evalMetric: 'logloss',
        ...options.gbdt,
      },
      onRound: ({ round, validation: v }) => {
        options.onStep?.('gbdt', round + 1, nRounds);
        if (round % 25 === 0) options.onProgress?.(`gbdt round ${round}: validation logloss ${v?.toFixed(5)}`);
      },
    });
    const model = result.model;
    return {
      algorithm,
      predictRaw: (X) => model.predictRaw(X),
      exportOnnx: (calibrator, featureNames, metadata) => exportGbdtToOnnx(model, { calibrator, featureNames, metadata }),
      toJson: () => ({ kind: 'gbdt', model: model.toJSON() }),
      importance: Float64Array.from(model.featureImportance('gain')),
      fitInfo: { rounds: result.rounds, bestIteration: result.bestIteration, trees: model.trees.length, threads: result.threads, seconds: (Date.now() - started) / 1000 },
    };
  }
  const result = await fitMlp({ X: fit.X, nFeatures, y: labelsFit }, { X: validation.X, nFeatures, y: labelsVal }, options.mlp, (epoch, epochs) =>
    options.onStep?.('mlp', epoch + 1, epochs),
  );
  options.onProgress?.(`mlp: ${result.epochs} epochs, best ${result.bestEpoch} on ${result.backend}`);
  const model = result.model;
  return {
    algorithm,
    predictRaw: (X) => mlpPredictRaw(model, X),
    exportOnnx: (calibrator, featureNames, metadata) => exportMlpToOnnx(model, { calibrator, featureNames, metadata }),
    toJson: () => ({ kind: 'mlp', model }),
    importance: undefined,
    fitInfo: { epochs: result.epochs, bestEpoch: result.bestEpoch, backend: result.backend, seconds: (Date.now() - started) / 1000 },
  };
}
