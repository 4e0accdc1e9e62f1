import { downsampleCurve, prCurve, rocCurve } from '../../../training/metrics/curves';
import { rocAuc } from '../../../training/metrics/roc-auc';
import { seededRandom } from '../calibration/seeded-random';
import { LABELS, SCORES } from './ranking-example';

/** Trapezoidal area under a curve of points in order. */
function area(points: { fpr: number; tpr: number }[]): number {
  let a = 0;
  for (let i = 1; i < points.length; i++) a += ((points[i]!.fpr - points[i - 1]!.fpr) * (points[i]!.tpr + points[i - 1]!.tpr)) / 2;
  return a;
}

describe('rocCurve and prCurve', () => {
  it('ROC has one point per distinct score after (0, 0), with rates out of 4 legit and 3 frauds', () => {
    expect(rocCurve(SCORES, LABELS)).toEqual([
      { fpr: 0, tpr: 0, threshold: null },
      { fpr: 0 / 4, tpr: 1 / 3, threshold: 0.9 },
      { fpr: 1 / 4, tpr: 2 / 3, threshold: 0.8 },
      { fpr: 2 / 4, tpr: 2 / 3, threshold: 0.7 },
      { fpr: 3 / 4, tpr: 3 / 3, threshold: 0.6 },
      { fpr: 4 / 4, tpr: 3 / 3, threshold: 0.3 },
    ]);
    // Its trapezoidal area is the tie-aware AUC: 3/24 + 4/24 + 5/24 + 6/24.
    expect(area(rocCurve(SCORES, LABELS))).toBeCloseTo(18 / 24, 12);
  });

  it('PR starts at (recall 0, precision 1) and follows the thresholds down', () => {
    expect(prCurve(SCORES, LABELS)).toEqual([
      { recall: 0, precision: 1, threshold: null },
      { recall: 1 / 3, precision: 1 / 1, threshold: 0.9 },
      { recall: 2 / 3, precision: 2 / 3, threshold: 0.8 },
      { recall: 2 / 3, precision: 2 / 4, threshold: 0.7 },
      { recall: 3 / 3, precision: 3 / 6, threshold: 0.6 },
      { recall: 3 / 3, precision: 3 / 7, threshold: 0.3 },
    ]);
  });

  it('are empty when the classes they need are absent', () => {
    expect(rocCurve(Float64Array.from([0.2, 0.4]), Uint8Array.from([1, 1]))).toEqual([]);
    expect(prCurve(Float64Array.from([0.2, 0.4]), Uint8Array.from([0, 0]))).toEqual([]);
  });

  it('thin a 100 000-event curve to at most 500 points and keep its shape and ends', () => {
    const rng = seededRandom(11);
    const n = 100_000;
    const scores = new Float64Array(n);
    const labels = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      labels[i] = rng.float() < 0.02 ? 1 : 0;
      scores[i] = rng.normal() + 2 * labels[i]!;
    }
    const roc = rocCurve(scores, labels);
    expect(roc.length).toBeLessThanOrEqual(500);
    expect(roc.length).toBeGreaterThan(400);
    expect(roc[0]).toEqual({ fpr: 0, tpr: 0, threshold: null });
    expect(roc[roc.length - 1]).toMatchObject({ fpr: 1, tpr: 1 });
    expect(Math.abs(area(roc) - rocAuc(scores, labels))).toBeLessThan(1e-3);
    // No gap on the plot wider than a few spacings (the path is 2 long: 1 across, 1 up).
    for (let i = 1; i < roc.length; i++) {
      expect(Math.abs(roc[i]!.fpr - roc[i - 1]!.fpr) + Math.abs(roc[i]!.tpr - roc[i - 1]!.tpr)).toBeLessThan(0.02);
    }
    for (let i = 2; i < roc.length; i++) expect(roc[i]!.threshold!).toBeLessThan(roc[i - 1]!.threshold!);
    const pr = prCurve(scores, labels, 100);
    expect(pr.length).toBeLessThanOrEqual(100);
    expect(pr[pr.length - 1]!.recall).toBe(1);
  });

  it('downsampling leaves short curves alone and refuses fewer than 2 points', () => {
    const points = [{ x: 0 }, { x: 1 }, { x: 2 }];
    expect(downsampleCurve(points, 3, (p) => p.x, () => 0)).toBe(points);
    expect(downsampleCurve(points, 2, (p) => p.x, () => 0)).toEqual([{ x: 0 }, { x: 2 }]);
    expect(() => downsampleCurve(points, 1, (p) => p.x, () => 0)).toThrow(/maxPoints must be a whole number ≥ 2, got 1/);
  });
});
