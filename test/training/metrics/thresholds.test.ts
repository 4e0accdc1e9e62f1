import { thresholdForRate, thresholdTable } from '../../../training/metrics/thresholds';
import { LABELS, SCORES } from './ranking-example';

describe('thresholdTable', () => {
  it('reports flagged share, recall and precision of each threshold (scores ≥ threshold flagged)', () => {
    const [t08, t065, t095] = thresholdTable(SCORES, LABELS, [0.8, 0.65, 0.95]);
    // ≥ 0.8: 0.9 fraud, 0.8 legit, 0.8 fraud.
    expect(t08).toEqual({ threshold: 0.8, flagged: 3, flaggedRate: 3 / 7, caught: 2, recall: 2 / 3, precision: 2 / 3 });
    // ≥ 0.65 adds 0.7 legit.
    expect(t065).toEqual({ threshold: 0.65, flagged: 4, flaggedRate: 4 / 7, caught: 2, recall: 2 / 3, precision: 2 / 4 });
    // ≥ 0.95 flags nothing: precision undefined.
    expect(t095).toMatchObject({ flagged: 0, flaggedRate: 0, caught: 0, recall: 0 });
    expect(t095!.precision).toBeNaN();
  });

  it('refuses a NaN threshold, naming its position', () => {
    expect(() => thresholdTable(SCORES, LABELS, [0.5, Number.NaN])).toThrow(/threshold 1 is NaN/);
  });
});

describe('thresholdForRate', () => {
  // 0.01, 0.02, …, 1.00
  const hundred = Float64Array.from({ length: 100 }, (_, i) => (i + 1) / 100);

  it('flags the top `rate` of events', () => {
    expect(thresholdForRate(hundred, 0.05)).toBe(0.96); // 0.96 … 1.00: 5 of 100
    // 0.29 · 100 = 28.999999999999996 in floating point; the threshold must still flag 29 events.
    expect(thresholdForRate(hundred, 0.29)).toBe(0.72);
    expect(thresholdForRate(hundred, 0.295)).toBe(0.72); // 29.5 events: at most rate, so 29
    expect(thresholdForRate(hundred, 1)).toBe(0.01);
  });

  it('never flags more than `rate` when ties cannot be split', () => {
    const scores = Float64Array.from([0.9, 0.9, 0.9, 0.5, 0.4, 0.3, 0.2, 0.1, 0.1, 0.0]);
    // 30 % is exactly the 0.9 tie group; 40 % adds 0.5.
    expect(thresholdForRate(scores, 0.3)).toBe(0.9);
    expect(thresholdForRate(scores, 0.4)).toBe(0.5);
    // 90 % is everything but 0.0; 80 % (8 events) would split the 0.1 pair, so only 0.2 and above (7) qualify.
    expect(thresholdForRate(scores, 0.9)).toBe(0.1);
    expect(thresholdForRate(scores, 0.8)).toBe(0.2);
    // 20 % would split the top group: the threshold moves just above 0.9 and flags nothing.
    const above = thresholdForRate(scores, 0.2);
    expect(above).toBe(0.9 + Number.EPSILON / 2); // the next double after 0.9 (spacing 2⁻⁵³ in [0.5, 1))
    expect(thresholdForRate(scores, 0)).toBe(above);
  });

  it('refuses a rate outside [0, 1] and an empty score set', () => {
    expect(() => thresholdForRate(hundred, -0.1)).toThrow(/rate must be in \[0, 1\], got -0.1/);
    expect(() => thresholdForRate(new Float64Array(0), 0.1)).toThrow(/no scores/);
  });
});
