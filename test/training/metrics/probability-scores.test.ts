import { brierScore, logLoss, LOG_LOSS_EPSILON } from '../../../training/metrics/probability-scores';

const p = Float64Array.from([0.9, 0.2, 0.6]);
const y = Uint8Array.from([1, 0, 0]);

describe('brierScore and logLoss', () => {
  it('Brier score is the mean squared distance to the label', () => {
    expect(brierScore(p, y)).toBeCloseTo(((1 - 0.9) ** 2 + 0.2 ** 2 + 0.6 ** 2) / 3, 12);
  });

  it('log-loss is the mean negative log-likelihood, natural log', () => {
    expect(logLoss(p, y)).toBeCloseTo(-(Math.log(0.9) + Math.log(1 - 0.2) + Math.log(1 - 0.6)) / 3, 12);
  });

  it('log-loss clips certain mistakes to a finite cost', () => {
    expect(logLoss(Float64Array.from([0, 1]), Uint8Array.from([1, 0]))).toBeCloseTo(-Math.log(LOG_LOSS_EPSILON), 6);
    expect(logLoss(Float64Array.from([1, 0]), Uint8Array.from([1, 0]))).toBeCloseTo(0, 12);
  });

  it('refuses scores that are not probabilities', () => {
    expect(() => brierScore(Float64Array.from([0.5, 1.2]), Uint8Array.from([0, 1]))).toThrow(/score 1 is 1.2, expected a probability in \[0, 1\]/);
    expect(() => logLoss(Float64Array.from([-0.1]), Uint8Array.from([0]))).toThrow(/score 0 is -0.1/);
  });
});
