/**
 * One regression tree as flat arrays indexed by node id (root 0, children after their parent), the layout ONNX's
 * TreeEnsemble operators use: an internal node sends `x < threshold` left, other present values right, and a
 * missing value (NaN) to its default side.
 */
export interface Tree {
  /** Split feature of each node; -1 marks a leaf. */
  feature: Int32Array;
  /** Split threshold (a float32 value): `x < threshold` goes left. */
  threshold: Float32Array;
  /** 1 when missing values go left. */
  defaultLeft: Uint8Array;
  /** Child ids (-1 at leaves). */
  left: Int32Array;
  right: Int32Array;
  /** Leaf value in log-odds (learning rate applied); 0 at internal nodes. */
  value: Float64Array;
  /** Sum of hessians of the training rows that reached the node (TreeSHAP's weights). */
  cover: Float64Array;
  /** Gain of the split; 0 at leaves. */
  gain: Float64Array;
}

/** A tree with typed arrays from any array-likes of its fields (a model file, a tree being grown). */
export function treeFromArrays(t: { [K in keyof Tree]: ArrayLike<number> }): Tree {
  return {
    feature: Int32Array.from(t.feature),
    threshold: Float32Array.from(t.threshold),
    defaultLeft: Uint8Array.from(t.defaultLeft),
    left: Int32Array.from(t.left),
    right: Int32Array.from(t.right),
    value: Float64Array.from(t.value),
    cover: Float64Array.from(t.cover),
    gain: Float64Array.from(t.gain),
  };
}

/** The leaf reached by row `row` of a row-major matrix. */
export function leafOf(tree: Tree, X: Float32Array | Float64Array, offset: number): number {
  const { feature, threshold, defaultLeft, left, right } = tree;
  let node = 0;
  let f = feature[0]!;
  while (f >= 0) {
    const x = X[offset + f]!;
    node = x < threshold[node]! ? left[node]! : x !== x && defaultLeft[node] ? left[node]! : right[node]!;
    f = feature[node]!;
  }
  return node;
}

/** Adds the tree's value for every row of a row-major `X` to `out` (one entry per row). */
export function addTreePredictions(tree: Tree, X: Float32Array | Float64Array, nFeatures: number, out: Float64Array): void {
  const value = tree.value;
  for (let i = 0, offset = 0; i < out.length; i++, offset += nFeatures) out[i]! += value[leafOf(tree, X, offset)]!;
}

/** Deepest leaf's depth (a single leaf has depth 0). */
export function treeDepth(tree: Tree, node = 0): number {
  if (tree.feature[node]! < 0) return 0;
  return 1 + Math.max(treeDepth(tree, tree.left[node]!), treeDepth(tree, tree.right[node]!));
}

/**
 * Expected value of the tree over the training distribution: leaf values weighted by cover. This is what TreeSHAP
 * takes as the prediction when no feature is known.
 */
export function treeExpectation(tree: Tree, node = 0): number {
  if (tree.feature[node]! < 0) return tree.value[node]!;
  const l = tree.left[node]!;
  const r = tree.right[node]!;
  const cl = tree.cover[l]!;
  const cr = tree.cover[r]!;
  return (cl * treeExpectation(tree, l) + cr * treeExpectation(tree, r)) / (cl + cr);
}
