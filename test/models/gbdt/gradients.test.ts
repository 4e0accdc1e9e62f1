import { addToMargin, logisticGradients } from '../../../models/gbdt/gradients';

describe('logistic gradients', () => {
  it('come from exp(-margin) kept in step with the margin by multiplication', () => {
    const margin = Float64Array.from([0.3, -2]);
    const expNeg = margin.map((m) => Math.exp(-m));
    const steps = [0.1, -0.25, 0.7, -0.05, 0.33];
    for (let round = 0; round < 200; round++) {
      const value = steps[round % steps.length]!;
      for (const r of [0, 1]) addToMargin(margin, expNeg, r, value, Math.exp(-value));
    }
    for (const r of [0, 1]) expect(Math.abs(expNeg[r]! / Math.exp(-margin[r]!) - 1)).toBeLessThan(1e-12);
    const gh = new Float64Array(4);
    logisticGradients(expNeg, Uint8Array.from([1, 0]), Float64Array.from([1, 2]), gh, 0, 2);
    const p = Array.from(margin, (m) => 1 / (1 + Math.exp(-m)));
    expect(gh[0]).toBeCloseTo(p[0]! - 1, 12);
    expect(gh[1]).toBeCloseTo(p[0]! * (1 - p[0]!), 12);
    expect(gh[2]).toBeCloseTo(2 * p[1]!, 12);
    expect(gh[3]).toBeCloseTo(2 * p[1]! * (1 - p[1]!), 12);
  });

  it('recompute exp(-margin) near overflow, so a saturated margin can come back', () => {
    const margin = Float64Array.from([0]);
    const expNeg = Float64Array.from([1]);
    // Up to a margin of 800 (exp(-800) underflows to 0), then back down to 10.
    addToMargin(margin, expNeg, 0, 800, Math.exp(-800));
    addToMargin(margin, expNeg, 0, -790, Math.exp(790));
    expect(margin[0]).toBe(10);
    expect(expNeg[0]).toBe(Math.exp(-10));
  });
});
