import type { Tree } from './tree';

/*
 * Path-dependent TreeSHAP: exact Shapley values of a tree's prediction in polynomial time, with "feature unknown"
 * meaning "follow both children weighted by their cover". Ported from Algorithm 2 of
 *   S. M. Lundberg, G. G. Erion, S.-I. Lee, "Consistent Individualized Feature Attribution for Tree Ensembles",
 *   arXiv:1802.03888 (2018),
 * following the reference implementation in XGBoost (src/tree/tree_model.cc: ExtendPath, UnwindPath,
 * UnwoundPathSum, TreeShap). The paper's path of structs is kept as four parallel arrays in one preallocated
 * scratch, addressed by offsets like the C++ pointer arithmetic, so explaining a row allocates nothing.
 */

/** Reusable working memory for {@link addTreeShap}; size it with {@link createShapScratch}. */
export interface ShapScratch {
  feature: Int32Array;
  zero: Float64Array;
  one: Float64Array;
  weight: Float64Array;
}

/** Scratch large enough for trees up to `maxDepth` deep (each recursion level copies the path, hence quadratic). */
export function createShapScratch(maxDepth: number): ShapScratch {
  const d = maxDepth + 3;
  const size = (d * (d + 1)) / 2 + 1;
  return { feature: new Int32Array(size), zero: new Float64Array(size), one: new Float64Array(size), weight: new Float64Array(size) };
}

function extendPath(s: ShapScratch, base: number, depth: number, zero: number, one: number, feature: number): void {
  s.feature[base + depth] = feature;
  s.zero[base + depth] = zero;
  s.one[base + depth] = one;
  s.weight[base + depth] = depth === 0 ? 1 : 0;
  for (let i = depth - 1; i >= 0; i--) {
    s.weight[base + i + 1]! += (one * s.weight[base + i]! * (i + 1)) / (depth + 1);
    s.weight[base + i] = (zero * s.weight[base + i]! * (depth - i)) / (depth + 1);
  }
}

function unwindPath(s: ShapScratch, base: number, depth: number, pathIndex: number): void {
  const one = s.one[base + pathIndex]!;
  const zero = s.zero[base + pathIndex]!;
  let nextOnePortion = s.weight[base + depth]!;
  for (let i = depth - 1; i >= 0; i--) {
    if (one !== 0) {
      const tmp = s.weight[base + i]!;
      s.weight[base + i] = (nextOnePortion * (depth + 1)) / ((i + 1) * one);
      nextOnePortion = tmp - (s.weight[base + i]! * zero * (depth - i)) / (depth + 1);
    } else {
      s.weight[base + i] = (s.weight[base + i]! * (depth + 1)) / (zero * (depth - i));
    }
  }
  for (let i = pathIndex; i < depth; i++) {
    s.feature[base + i] = s.feature[base + i + 1]!;
    s.zero[base + i] = s.zero[base + i + 1]!;
    s.one[base + i] = s.one[base + i + 1]!;
  }
}

/** Total permutation weight of the path as if element `pathIndex` were unwound (without modifying it). */
function unwoundPathSum(s: ShapScratch, base: number, depth: number, pathIndex: number): number {
  const one = s.one[base + pathIndex]!;
  const zero = s.zero[base + pathIndex]!;
  let nextOnePortion = s.weight[base + depth]!;
  let total = 0;
  for (let i = depth - 1; i >= 0; i--) {
    if (one !== 0) {
      const tmp = (nextOnePortion * (depth + 1)) / ((i + 1) * one);
      total += tmp;
      nextOnePortion = s.weight[base + i]! - (tmp * zero * (depth - i)) / (depth + 1);
    } else {
      total += s.weight[base + i]! / zero / ((depth - i) / (depth + 1));
    }
  }
  return total;
}

function recurse(
  tree: Tree,
  x: ArrayLike<number>,
  offset: number,
  phi: Float64Array,
  s: ShapScratch,
  node: number,
  depth: number,
  parentBase: number,
  parentZero: number,
  parentOne: number,
  parentFeature: number,
): void {
  const base = parentBase + depth + 1;
  s.feature.copyWithin(base, parentBase, parentBase + depth + 1);
  s.zero.copyWithin(base, parentBase, parentBase + depth + 1);
  s.one.copyWithin(base, parentBase, parentBase + depth + 1);
  s.weight.copyWithin(base, parentBase, parentBase + depth + 1);
  extendPath(s, base, depth, parentZero, parentOne, parentFeature);

  const split = tree.feature[node]!;
  if (split < 0) {
    const value = tree.value[node]!;
    for (let i = 1; i <= depth; i++) {
      const w = unwoundPathSum(s, base, depth, i);
      phi[s.feature[base + i]!]! += w * (s.one[base + i]! - s.zero[base + i]!) * value;
    }
    return;
  }

  const l = tree.left[node]!;
  const r = tree.right[node]!;
  const v = x[offset + split]!;
  const hot = v < tree.threshold[node]! || (v !== v && tree.defaultLeft[node] === 1) ? l : r;
  const cold = hot === l ? r : l;
  // Fractions from the children's covers (not the parent's) so that they add up to exactly 1 as in treeExpectation.
  const cover = tree.cover[l]! + tree.cover[r]!;
  const hotZero = tree.cover[hot]! / cover;
  const coldZero = tree.cover[cold]! / cover;

  // A feature already on the path is unwound and re-entered, so each feature appears once.
  let incomingZero = 1;
  let incomingOne = 1;
  let pathIndex = 0;
  while (pathIndex <= depth && s.feature[base + pathIndex] !== split) pathIndex++;
  let d = depth;
  if (pathIndex <= depth) {
    incomingZero = s.zero[base + pathIndex]!;
    incomingOne = s.one[base + pathIndex]!;
    unwindPath(s, base, d, pathIndex);
    d--;
  }
  recurse(tree, x, offset, phi, s, hot, d + 1, base, hotZero * incomingZero, incomingOne, split);
  recurse(tree, x, offset, phi, s, cold, d + 1, base, coldZero * incomingZero, 0, split);
}

/**
 * Adds one tree's SHAP values for the row at `x[offset .. offset + nFeatures)` to `phi[0 .. nFeatures)`. Their sum
 * is the tree's prediction for the row minus {@link treeExpectation}.
 */
export function addTreeShap(tree: Tree, x: ArrayLike<number>, offset: number, phi: Float64Array, scratch: ShapScratch): void {
  if (tree.feature[0]! < 0) return;
  recurse(tree, x, offset, phi, scratch, 0, 0, 0, 1, 1, -1);
}
