import { averagePrecision } from '../../../training/metrics/average-precision';
import { LABELS, SCORES } from './ranking-example';

describe('averagePrecision', () => {
  it('sums (Rₙ − Rₙ₋₁)·Pₙ over distinct thresholds, tied scores forming one threshold', () => {
    // Thresholds from the top (frauds caught tp, legit flagged fp, of 3 frauds):
    //   0.9: tp 1, fp 0 → R 1/3, P 1/1
    //   0.8: tp 2, fp 1 → R 2/3, P 2/3   (the tie counts both events at once)
    //   0.7: tp 2, fp 2 → R unchanged, term 0
    //   0.6: tp 3, fp 3 → R 3/3, P 3/6
    //   0.3: tp 3, fp 4 → R unchanged, term 0
    expect(averagePrecision(SCORES, LABELS)).toBeCloseTo((1 / 3) * 1 + (1 / 3) * (2 / 3) + (1 / 3) * (3 / 6), 12);
  });

  it('is not the interpolated (max precision to the right) variant', () => {
    // Ranked fraud, legit, fraud, fraud: precision 1, then 2/3, then 3/4.
    const scores = Float64Array.from([4, 3, 2, 1]);
    const labels = Uint8Array.from([1, 0, 1, 1]);
    // Step-wise: ⅓·1 + ⅓·(2/3) + ⅓·(3/4); the interpolated variant would use max(2/3, 3/4) at the second step.
    expect(averagePrecision(scores, labels)).toBeCloseTo((1 / 3) * 1 + (1 / 3) * (2 / 3) + (1 / 3) * (3 / 4), 12);
  });

  it('is 1 for a perfect ranking and NaN without any fraud', () => {
    expect(averagePrecision(Float64Array.from([3, 2, 1]), Uint8Array.from([1, 1, 0]))).toBe(1);
    expect(averagePrecision(Float64Array.from([3, 2, 1]), Uint8Array.from([0, 0, 0]))).toBeNaN();
  });

  it('equals the fraud share when every score ties (one threshold, recall 0 → 1 at precision P/n)', () => {
    expect(averagePrecision(Float64Array.from([1, 1, 1, 1]), Uint8Array.from([1, 0, 0, 0]))).toBeCloseTo(1 / 4, 12);
    // Two tied frauds must enter together: splitting them would give ½·(1/3) + ½·(2/4) instead.
    expect(averagePrecision(Float64Array.from([1, 1, 1, 1]), Uint8Array.from([1, 1, 0, 0]))).toBeCloseTo(2 / 4, 12);
  });
});
