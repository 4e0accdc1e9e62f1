import { rowCount } from './dataset';
import { parseGbdtModelJson, type GbdtModelJson, GBDT_MODEL_FORMAT } from './model-json';
import { addTreePredictions, treeDepth, treeExpectation, treeFromArrays, type Tree } from './tree';
import { addTreeShap, createShapScratch, type ShapScratch } from './tree-shap';

/** How {@link GbdtModel.featureImportance} scores a feature. */
export type ImportanceKind = 'gain' | 'split';

/** What a trained model is made of. */
export interface GbdtModelParts {
  nFeatures: number;
  /** Margin (log-odds) every prediction starts from. */
  baseScore: number;
  trees: Tree[];
  /** Optional names of the features, in column order. */
  featureNames?: string[];
}

/** Logistic function, written to stay finite for large negative margins. */
export function sigmoid(margin: number): number {
  return margin >= 0 ? 1 / (1 + Math.exp(-margin)) : Math.exp(margin) / (1 + Math.exp(margin));
}

/**
 * A trained gradient-boosted tree binary classifier: `margin = baseScore + Σ tree(x)` in log-odds and
 * `probability = sigmoid(margin)`. Inputs are row-major `Float32Array`s (or `Float64Array`s) with NaN for missing
 * values, as in training.
 */
export class GbdtModel {
  readonly nFeatures: number;
  readonly baseScore: number;
  readonly trees: readonly Tree[];
  readonly featureNames: readonly string[] | undefined;
  /** Deepest tree's depth. */
  readonly maxDepth: number;
  /** Average margin over the training data as TreeSHAP sees it: base score plus every tree's expectation. */
  readonly expectedValue: number;
  private shapScratch: ShapScratch | undefined;

  constructor(parts: GbdtModelParts) {
    this.nFeatures = parts.nFeatures;
    this.baseScore = parts.baseScore;
    this.trees = parts.trees;
    this.featureNames = parts.featureNames;
    this.maxDepth = parts.trees.reduce((max, tree) => Math.max(max, treeDepth(tree)), 0);
    this.expectedValue = parts.trees.reduce((sum, tree) => sum + treeExpectation(tree), parts.baseScore);
  }

  /** Margins (log-odds), one per row of the row-major matrix `X`. */
  predictRaw(X: Float32Array | Float64Array): Float64Array {
    const out = new Float64Array(rowCount(X, this.nFeatures, 'X')).fill(this.baseScore);
    for (const tree of this.trees) addTreePredictions(tree, X, this.nFeatures, out);
    return out;
  }

  /** Probabilities of the positive class, one per row of `X`. */
  predictProba(X: Float32Array | Float64Array): Float64Array {
    const out = this.predictRaw(X);
    for (let i = 0; i < out.length; i++) out[i] = sigmoid(out[i]!);
    return out;
  }

  /**
   * Per-feature contributions to one row's margin (TreeSHAP, see tree-shap.ts): entries `0 .. nFeatures - 1` are
   * the features' SHAP values in log-odds and entry `nFeatures` is {@link expectedValue}; all of them add up to the
   * row's margin. Pass `out` (length `nFeatures + 1`) to avoid allocating; the working memory is reused.
   */
  contributions(row: ArrayLike<number>, out: Float64Array = new Float64Array(this.nFeatures + 1)): Float64Array {
    if (row.length !== this.nFeatures) throw new RangeError(`row: expected ${this.nFeatures} features, got ${row.length}`);
    if (out.length !== this.nFeatures + 1) throw new RangeError(`out: expected length ${this.nFeatures + 1}, got ${out.length}`);
    this.shapScratch ??= createShapScratch(this.maxDepth);
    out.fill(0);
    for (const tree of this.trees) addTreeShap(tree, row, 0, out, this.shapScratch);
    out[this.nFeatures] = this.expectedValue;
    return out;
  }

  /**
   * Feature importance over all trees: `gain` sums the gains of the splits on each feature (XGBoost `total_gain`),
   * `split` counts them (XGBoost `weight`).
   */
  featureImportance(kind: ImportanceKind): Float64Array {
    const importance = new Float64Array(this.nFeatures);
    for (const tree of this.trees) {
      for (let node = 0; node < tree.feature.length; node++) {
        const f = tree.feature[node]!;
        if (f >= 0) importance[f]! += kind === 'gain' ? tree.gain[node]! : 1;
      }
    }
    return importance;
  }

  /** Plain JSON form; {@link GbdtModel.fromJSON} restores a model with bit-identical predictions. */
  toJSON(): GbdtModelJson {
    return {
      format: GBDT_MODEL_FORMAT,
      objective: 'binary:logistic',
      nFeatures: this.nFeatures,
      ...(this.featureNames ? { featureNames: [...this.featureNames] } : {}),
      baseScore: this.baseScore,
      trees: this.trees.map((t) => ({
        feature: Array.from(t.feature),
        threshold: Array.from(t.threshold),
        defaultLeft: Array.from(t.defaultLeft),
        left: Array.from(t.left),
        right: Array.from(t.right),
        value: Array.from(t.value),
        cover: Array.from(t.cover),
        gain: Array.from(t.gain),
      })),
    };
  }

  /** Restores a model from {@link GbdtModel.toJSON} output, checking its structure (throws `ValidationError`). */
  static fromJSON(json: unknown): GbdtModel {
    const parsed = parseGbdtModelJson(json);
    return new GbdtModel({
      nFeatures: parsed.nFeatures,
      baseScore: parsed.baseScore,
      ...(parsed.featureNames ? { featureNames: parsed.featureNames } : {}),
      trees: parsed.trees.map(treeFromArrays),
    });
  }
}
