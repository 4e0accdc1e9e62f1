import type { ScoresByClass } from './binary-inputs';

/**
 * Cumulative true and false positives at each distinct score, highest first: flagging every event whose score is
 * ≥ `thresholds[i]` catches `tps[i]` frauds and wrongly flags `fps[i]` legit events. Tied scores form one entry,
 * since no threshold can separate them. The same construction as scikit-learn's `_binary_clf_curve`.
 */
export interface BinaryCurve {
  thresholds: Float64Array;
  tps: Float64Array;
  fps: Float64Array;
  /** Number of positives (frauds) and negatives in the data. */
  positives: number;
  negatives: number;
}

/** Builds the {@link BinaryCurve} of scores already split and sorted by class. */
export function binaryCurve({ positives, negatives }: ScoresByClass): BinaryCurve {
  const total = positives.length + negatives.length;
  const thresholds = new Float64Array(total);
  const tps = new Float64Array(total);
  const fps = new Float64Array(total);
  // Walk both ascending arrays from their top ends, taking every score equal to the current maximum at once.
  let i = positives.length - 1;
  let j = negatives.length - 1;
  let tp = 0;
  let fp = 0;
  let k = 0;
  while (i >= 0 || j >= 0) {
    const t = Math.max(i >= 0 ? positives[i]! : -Infinity, j >= 0 ? negatives[j]! : -Infinity);
    while (i >= 0 && positives[i] === t) {
      tp++;
      i--;
    }
    while (j >= 0 && negatives[j] === t) {
      fp++;
      j--;
    }
    thresholds[k] = t;
    tps[k] = tp;
    fps[k] = fp;
    k++;
  }
  return {
    thresholds: thresholds.subarray(0, k),
    tps: tps.subarray(0, k),
    fps: fps.subarray(0, k),
    positives: positives.length,
    negatives: negatives.length,
  };
}
