/**
 * Histogram-based gradient-boosted trees for binary classification (XGBoost `hist` / LightGBM style), in
 * TypeScript on typed arrays: `fitGbdt` trains, `GbdtModel` predicts, explains (TreeSHAP) and serialises.
 */
export { fitGbdt, MIN_CELLS_FOR_THREADS, type FitGbdtInput, type GbdtFitResult, type RoundProgress } from './train';
export { GbdtModel, sigmoid, type GbdtModelParts, type ImportanceKind } from './model';
export { GBDT_MODEL_FORMAT, parseGbdtModelJson, type GbdtModelJson, type GbdtTreeJson } from './model-json';
export { DEFAULT_GBDT_OPTIONS, assertGbdtOptions, resolveGbdtOptions, type EvalMetric, type GbdtOptions, type GrowPolicy } from './options';
export { assertGbdtDataset, type GbdtDataset } from './dataset';
export { logLoss, rocAuc } from './metrics';
export type { Tree } from './tree';
