import { calibrationCurve } from '../../../training/metrics/calibration-curve';

describe('calibrationCurve', () => {
  it('bins probabilities into equal-width bins and leaves empty bins out', () => {
    const p = Float64Array.from([0.05, 0.15, 0.12, 0.95, 1.0, 0.55]);
    const y = Uint8Array.from([0, 1, 0, 1, 1, 0]);
    const bins = calibrationCurve(p, y);
    expect(bins.map((b) => [b.lower, b.upper, b.count])).toEqual([
      [0, 0.1, 1],
      [0.1, 0.2, 2],
      [0.5, 0.6, 1],
      [0.9, 1, 2], // p = 1 belongs to the last bin
    ]);
    expect(bins[1]!.meanPredicted).toBeCloseTo((0.15 + 0.12) / 2, 12);
    expect(bins[1]!.observedRate).toBeCloseTo(1 / 2, 12);
    expect(bins[3]!.meanPredicted).toBeCloseTo((0.95 + 1.0) / 2, 12);
    expect(bins[3]!.observedRate).toBe(1);
    expect(bins[2]!.observedRate).toBe(0);
  });

  it('takes the number of bins as a parameter', () => {
    const bins = calibrationCurve(Float64Array.from([0.1, 0.4, 0.6, 0.9]), Uint8Array.from([0, 0, 1, 1]), 2);
    expect(bins).toEqual([
      { lower: 0, upper: 0.5, meanPredicted: (0.1 + 0.4) / 2, observedRate: 0, count: 2 },
      { lower: 0.5, upper: 1, meanPredicted: (0.6 + 0.9) / 2, observedRate: 1, count: 2 },
    ]);
    expect(() => calibrationCurve(Float64Array.from([0.1]), Uint8Array.from([0]), 0)).toThrow(/bins must be a whole number ≥ 1, got 0/);
  });
});
