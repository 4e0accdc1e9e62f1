import { z } from 'zod';
import { ValidationError, type FieldIssue } from '../../core/errors';

/** Format tag of serialised models; bump the number when the layout changes. */
export const GBDT_MODEL_FORMAT = 'vigil-gbdt/1';

const int = z.number().int();
const treeJsonSchema = z.object({
  feature: z.array(int.min(-1)),
  threshold: z.array(z.number()),
  defaultLeft: z.array(int.min(0).max(1)),
  left: z.array(int.min(-1)),
  right: z.array(int.min(-1)),
  value: z.array(z.number()),
  cover: z.array(z.number().min(0)),
  gain: z.array(z.number()),
});

const modelJsonSchema = z.object({
  format: z.literal(GBDT_MODEL_FORMAT),
  objective: z.literal('binary:logistic'),
  nFeatures: int.min(1),
  featureNames: z.array(z.string()).optional(),
  baseScore: z.number(),
  trees: z.array(treeJsonSchema),
});

/** One tree in JSON: the arrays of `Tree` as plain number arrays. */
export type GbdtTreeJson = z.infer<typeof treeJsonSchema>;
/** A model in JSON, as written by `GbdtModel.toJSON`. */
export type GbdtModelJson = z.infer<typeof modelJsonSchema>;

const ARRAYS = ['threshold', 'defaultLeft', 'left', 'right', 'value', 'cover', 'gain'] as const;

/** Structure the schema cannot express: equal lengths, valid features, children after parents, each node reached once. */
function treeIssues(tree: GbdtTreeJson, t: number, nFeatures: number): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const n = tree.feature.length;
  if (n === 0) return [{ path: ['trees', t, 'feature'], message: 'a tree needs at least one node' }];
  for (const key of ARRAYS) {
    if (tree[key].length !== n) issues.push({ path: ['trees', t, key], message: `expected ${n} entries (one per node), got ${tree[key].length}` });
  }
  if (issues.length) return issues;
  const parents = new Uint32Array(n);
  for (let node = 0; node < n; node++) {
    const at = (key: string): (string | number)[] => ['trees', t, key, node];
    const f = tree.feature[node]!;
    const l = tree.left[node]!;
    const r = tree.right[node]!;
    if (f < 0) {
      if (l !== -1 || r !== -1) issues.push({ path: at('left'), message: 'a leaf (feature -1) has children -1' });
      continue;
    }
    if (f >= nFeatures) issues.push({ path: at('feature'), message: `feature ${f} out of range (nFeatures ${nFeatures})` });
    if (Math.fround(tree.threshold[node]!) !== tree.threshold[node]) issues.push({ path: at('threshold'), message: 'not a float32 value' });
    let childrenValid = true;
    for (const [key, child] of [['left', l], ['right', r]] as const) {
      if (child > node && child < n) parents[child]!++;
      else {
        issues.push({ path: at(key), message: `child ${child} must come after its parent and be < ${n}` });
        childrenValid = false;
      }
    }
    // TreeSHAP and the expected value divide by the children's cover.
    if (childrenValid && !(tree.cover[l]! + tree.cover[r]! > 0)) issues.push({ path: at('cover'), message: 'children of a split need a positive cover' });
  }
  for (let node = 1; node < n && issues.length === 0; node++) {
    if (parents[node] !== 1) issues.push({ path: ['trees', t, 'left'], message: `node ${node} is reached from ${parents[node]} parents, expected 1` });
  }
  return issues;
}

/** One-line summary of issues: the first few, then how many more (a broken model can have thousands). */
function summarise(issues: FieldIssue[]): string {
  const shown = issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`);
  return `invalid GBDT model: ${shown.join('; ')}${issues.length > 5 ? `; … and ${issues.length - 5} more` : ''}`;
}

/** Validates a serialised model; every problem is listed in the thrown {@link ValidationError}'s issues. */
export function parseGbdtModelJson(json: unknown): GbdtModelJson {
  const parsed = modelJsonSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)), message: i.message }));
    throw new ValidationError(summarise(issues), issues);
  }
  const model = parsed.data;
  const issues = model.trees.flatMap((tree, t) => treeIssues(tree, t, model.nFeatures));
  if (model.featureNames && model.featureNames.length !== model.nFeatures) {
    issues.push({ path: ['featureNames'], message: `expected ${model.nFeatures} names, got ${model.featureNames.length}` });
  }
  if (issues.length) throw new ValidationError(summarise(issues), issues);
  return model;
}
