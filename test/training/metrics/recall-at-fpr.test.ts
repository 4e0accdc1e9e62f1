import { recallAtFpr } from '../../../training/metrics/recall-at-fpr';

// 1000 legit events scored 0.000, 0.001, …, 0.999 and 10 frauds around them.
const FRAUD_SCORES = [0.9995, 0.9985, 0.9975, 0.995, 0.985, 0.9, 0.8, 0.5, 0.2, 0.0005];
const scores = Float64Array.from([...Array.from({ length: 1000 }, (_, i) => i / 1000), ...FRAUD_SCORES]);
const labels = Uint8Array.from([...new Array<number>(1000).fill(0), ...new Array<number>(10).fill(1)]);

describe('recallAtFpr', () => {
  it('takes the lowest threshold whose false-positive rate stays within the budget', () => {
    // FPR ≤ 0.001 allows 1 of 1000 legit events: down to threshold 0.9985 only legit 0.999 is flagged, catching
    // 0.9995 and 0.9985; the next threshold, 0.998, would flag a second legit event.
    expect(recallAtFpr(scores, labels, 0.001)).toBeCloseTo(2 / 10, 12);
    // FPR ≤ 0.01 allows 10 legit events (0.990 … 0.999): frauds ≥ 0.990 are 0.9995, 0.9985, 0.9975, 0.995.
    expect(recallAtFpr(scores, labels, 0.01)).toBeCloseTo(4 / 10, 12);
    expect(recallAtFpr(scores, labels, 1)).toBe(1);
  });

  it('does not split a tie group that would exceed the budget', () => {
    // Two legit events tie with the only fraud at the top: flagging it costs 2/1000 > 0.001.
    const tied = Float64Array.from([1, 1, 1, ...Array.from({ length: 998 }, (_, i) => i / 1000)]);
    const tiedLabels = Uint8Array.from([1, 0, 0, ...new Array<number>(998).fill(0)]);
    expect(recallAtFpr(tied, tiedLabels, 0.001)).toBe(0);
    expect(recallAtFpr(tied, tiedLabels, 0.002)).toBe(1);
  });

  it('is NaN when a class is absent and refuses a budget outside [0, 1]', () => {
    expect(recallAtFpr(Float64Array.from([0.5]), Uint8Array.from([1]), 0.01)).toBeNaN();
    expect(() => recallAtFpr(scores, labels, 1.5)).toThrow(/fpr must be in \[0, 1\], got 1.5/);
  });
});
