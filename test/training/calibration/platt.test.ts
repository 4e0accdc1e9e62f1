import { fitPlatt, plattProbability, sigmoid } from '../../../training/calibration/platt';
import { seededRandom } from './seeded-random';

describe('fitPlatt', () => {
  it('recovers a and b from data drawn from a known logistic model', () => {
    const rng = seededRandom(42);
    const n = 50_000;
    const a = 1.5;
    const b = -2;
    const scores = new Float64Array(n);
    const labels = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      scores[i] = 2 * rng.normal();
      labels[i] = rng.float() < sigmoid(a * scores[i]! + b) ? 1 : 0;
    }
    const fit = fitPlatt(scores, labels);
    // Standard errors at this size are about 0.02; the smoothed targets shift the estimate by much less.
    expect(Math.abs(fit.a - a)).toBeLessThan(0.06);
    expect(Math.abs(fit.b - b)).toBeLessThan(0.06);
  });

  it('stays finite on separable data thanks to the smoothed targets', () => {
    // One fraud at s = 1, one legit at s = −1: targets (1 + 1)/(1 + 2) = ⅔ and 1/(1 + 2) = ⅓. The optimum puts
    // σ(a + b) = ⅔ and σ(−a + b) = ⅓, so b = 0 and a = logit(⅔) = ln 2.
    const fit = fitPlatt(Float64Array.from([1, -1]), Uint8Array.from([1, 0]));
    expect(fit.a).toBeCloseTo(Math.log(2), 8);
    expect(fit.b).toBeCloseTo(0, 8);
    expect(plattProbability(fit, 1)).toBeCloseTo(2 / 3, 8);
  });

  it('falls back to the smoothed base rate when the scores carry no information', () => {
    // All scores equal: only b matters, σ(b) = the mean target (3·(4/5) + 5·(1/7)) / 8 of 3 frauds in 8.
    const fit = fitPlatt(new Float64Array(8).fill(0.5), Uint8Array.from([1, 1, 1, 0, 0, 0, 0, 0]));
    expect(plattProbability(fit, 0.5)).toBeCloseTo((3 * (4 / 5) + 5 * (1 / 7)) / 8, 6);
  });

  it('refuses an empty set', () => {
    expect(() => fitPlatt(new Float64Array(0), new Uint8Array(0))).toThrow(/no scores/);
  });
});

describe('sigmoid', () => {
  it('does not overflow at extreme scores', () => {
    expect(sigmoid(0)).toBe(0.5);
    expect(sigmoid(1000)).toBe(1);
    expect(sigmoid(-1000)).toBe(0);
    expect(sigmoid(-30)).toBeCloseTo(Math.exp(-30), 25);
  });
});
