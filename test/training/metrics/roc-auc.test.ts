import { ValidationError } from '../../../core/errors';
import { rocAuc } from '../../../training/metrics/roc-auc';
import { seededRandom } from '../calibration/seeded-random';
import { LABELS, SCORES } from './ranking-example';

describe('rocAuc', () => {
  it('gives tied scores their average rank (Mann–Whitney U)', () => {
    // Ascending ranks: 0.3 → 1; 0.6, 0.6 → (2 + 3) / 2; 0.7 → 4; 0.8, 0.8 → (5 + 6) / 2; 0.9 → 7.
    // Rank sum of the frauds (0.9, 0.8, 0.6): 7 + 5.5 + 2.5 = 15; U = 15 − 3·4/2 = 9 of 3·4 pairs.
    expect(rocAuc(SCORES, LABELS)).toBeCloseTo((15 - (3 * 4) / 2) / (3 * 4), 12);
  });

  it('is 1 for a perfect ranking, 0 for a reversed one and 0.5 when every score ties', () => {
    const labels = Uint8Array.from([1, 1, 0, 0, 0]);
    expect(rocAuc(Float64Array.from([5, 4, 3, 2, 1]), labels)).toBe(1);
    expect(rocAuc(Float64Array.from([1, 2, 3, 4, 5]), labels)).toBe(0);
    expect(rocAuc(Float64Array.from([7, 7, 7, 7, 7]), labels)).toBe(0.5);
  });

  it('agrees with counting every fraud–legit pair on random data with many ties', () => {
    const rng = seededRandom(7);
    const n = 2000;
    const scores = new Float32Array(n);
    const labels = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      labels[i] = rng.float() < 0.1 ? 1 : 0;
      scores[i] = Math.round((rng.normal() + labels[i]!) * 4) / 4; // quarter steps: lots of ties
    }
    let wins = 0;
    let pairs = 0;
    for (let i = 0; i < n; i++) {
      if (labels[i] !== 1) continue;
      for (let j = 0; j < n; j++) {
        if (labels[j] !== 0) continue;
        pairs++;
        wins += scores[i]! > scores[j]! ? 1 : scores[i] === scores[j] ? 0.5 : 0;
      }
    }
    expect(rocAuc(scores, labels)).toBeCloseTo(wins / pairs, 12);
  });

  it('is NaN when one class is absent', () => {
    expect(rocAuc(Float64Array.from([0.1, 0.9]), Uint8Array.from([0, 0]))).toBeNaN();
    expect(rocAuc(Float64Array.from([0.1, 0.9]), Uint8Array.from([1, 1]))).toBeNaN();
    expect(rocAuc(new Float64Array(0), new Uint8Array(0))).toBeNaN();
  });

  it('refuses misaligned inputs, labels other than 0/1 and NaN scores, naming the position', () => {
    expect(() => rocAuc(Float64Array.from([0.1, 0.2]), Uint8Array.from([1]))).toThrow(/labels has 1 entries for 2 scores/);
    expect(() => rocAuc(Float64Array.from([0.1, 0.2]), Uint8Array.from([1, 2]))).toThrow(ValidationError);
    expect(() => rocAuc(Float64Array.from([0.1, 0.2]), Uint8Array.from([1, 2]))).toThrow(/label 1 is 2, expected 0 or 1/);
    expect(() => rocAuc(Float64Array.from([0.1, Number.NaN]), Uint8Array.from([1, 0]))).toThrow(/score 1 is NaN/);
  });
});
