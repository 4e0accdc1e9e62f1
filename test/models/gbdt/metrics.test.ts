import { logLoss, rocAuc } from '../../../models/gbdt/metrics';

describe('validation metrics', () => {
  it('rocAuc counts pairs ranked right, ties as one half, with weights', () => {
    // Positives score 0.9 and 0.4; negatives 0.4 and 0.1: pairs (0.9>0.4, 0.9>0.1, 0.4=0.4 tie, 0.4>0.1).
    const score = Float64Array.from([0.9, 0.4, 0.4, 0.1]);
    const y = [1, 1, 0, 0];
    expect(rocAuc(score, y)).toBeCloseTo((1 + 1 + 0.5 + 1) / 4);
    // Weight 3 on the negative at 0.4: pairs weigh 1·3 (tied one half for the 0.4 positive), ...
    const weight = [1, 1, 3, 1];
    expect(rocAuc(score, y, weight)).toBeCloseTo((1 * 3 + 1 * 1 + 0.5 * 3 + 1 * 1) / (2 * 4));
  });

  it('logLoss is the mean of -log p for positives and -log(1 - p) for negatives', () => {
    const margin = Float64Array.from([0, Math.log(3), -800]);
    // p = 0.5, 0.75, ~0; the last row is a negative predicted with certainty (loss 0, and no overflow).
    expect(logLoss(margin, [1, 0, 0])).toBeCloseTo((-Math.log(0.5) - Math.log(0.25) + 0) / 3, 12);
    expect(logLoss(margin, [1, 0, 0], [2, 1, 1])).toBeCloseTo((-2 * Math.log(0.5) - Math.log(0.25)) / 4, 12);
  });
});
