import { fitIsotonic, predictIsotonic, toPiecewiseLinear } from '../../../training/calibration/isotonic';
import { seededRandom } from './seeded-random';

describe('fitIsotonic', () => {
  it('merges tied scores into their mean label before pooling', () => {
    // Scores 0.1 | 0.2, 0.2 | 0.3 | 0.4 with labels 0 | 1, 0 | 0 | 1 → unique points 0, ½ (weight 2), 0, 1.
    // ½ then 0 violates: pooled (½·2 + 0·1) / 3 = ⅓ for 0.2 and 0.3.
    const fit = fitIsotonic(Float64Array.from([0.3, 0.2, 0.1, 0.4, 0.2]), Uint8Array.from([0, 0, 0, 1, 1]));
    expect(toPiecewiseLinear(fit)).toEqual({ x: [0.1, 0.2, 0.3, 0.4], y: [0, 1 / 3, 1 / 3, 1] });
  });

  it('keeps only the ends of each flat run', () => {
    const fit = fitIsotonic(Float64Array.from([1, 2, 3, 4, 5, 6]), Uint8Array.from([0, 0, 0, 1, 1, 1]));
    expect(toPiecewiseLinear(fit)).toEqual({ x: [1, 3, 4, 6], y: [0, 0, 1, 1] });
  });

  it('predicts by linear interpolation between knots and clips outside them', () => {
    const fit = fitIsotonic(Float64Array.from([0.3, 0.2, 0.1, 0.4, 0.2]), Uint8Array.from([0, 0, 0, 1, 1]));
    expect(predictIsotonic(fit, 0.15)).toBeCloseTo((0 + 1 / 3) / 2, 12);
    expect(predictIsotonic(fit, 0.25)).toBeCloseTo(1 / 3, 12);
    expect(predictIsotonic(fit, 0.35)).toBeCloseTo(1 / 3 + (1 - 1 / 3) / 2, 12);
    expect(predictIsotonic(fit, -5)).toBe(0);
    expect(predictIsotonic(fit, 5)).toBe(1);
    expect(predictIsotonic(fit, Number.NaN)).toBeNaN();
  });

  it('uses sample weights', () => {
    // Weight 3 on the legit event at 2: (1·1 + 0·3) / 4 = ¼ for both points.
    const fit = fitIsotonic(Float64Array.from([1, 2]), Uint8Array.from([1, 0]), Float64Array.from([1, 3]));
    expect(toPiecewiseLinear(fit)).toEqual({ x: [1, 2], y: [1 / 4, 1 / 4] });
  });

  it('is monotone and matches the per-score fraud rate on well-ordered data', () => {
    const rng = seededRandom(3);
    const n = 5000;
    const scores = new Float64Array(n);
    const labels = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      scores[i] = Math.floor(rng.float() * 5); // five score levels with fraud rates 0.1, 0.3, 0.5, 0.7, 0.9
      labels[i] = rng.float() < 0.1 + 0.2 * scores[i]! ? 1 : 0;
    }
    const { x, y } = toPiecewiseLinear(fitIsotonic(scores, labels));
    expect(x).toEqual([0, 1, 2, 3, 4]);
    for (let k = 1; k < y.length; k++) expect(y[k]!).toBeGreaterThanOrEqual(y[k - 1]!);
    y.forEach((rate, level) => expect(Math.abs(rate - (0.1 + 0.2 * level))).toBeLessThan(0.05));
  });

  it('refuses an empty set and bad weights', () => {
    expect(() => fitIsotonic(new Float64Array(0), new Uint8Array(0))).toThrow(/no scores/);
    expect(() => fitIsotonic(Float64Array.from([1, 2]), Uint8Array.from([1, 0]), [1, -1])).toThrow(/weight 1 is -1, expected a positive number/);
  });
});
