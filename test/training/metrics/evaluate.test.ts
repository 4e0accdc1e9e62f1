import { evaluate } from '../../../training/metrics/evaluate';

describe('evaluate', () => {
  const input = {
    scores: Float64Array.from([0.9, 0.8, 0.3, 0.2, 0.6, 0.1]),
    labels: Uint8Array.from([1, 0, 0, 0, 1, 0]),
    userIds: ['u1', 'u2', 'u3', 'u1', 'u4', 'u5'],
    days: ['2024-03-01', '2024-03-01', '2024-03-01', '2024-03-02', '2024-03-02', '2024-03-02'],
  };

  it('assembles the metrics contract', () => {
    const m = evaluate(input);
    expect(Object.keys(m).sort()).toEqual(['averagePrecision', 'brier', 'cardPrecisionAt100', 'logLoss', 'n', 'positives', 'recallAtFpr', 'rocAuc']);
    expect(Object.keys(m.recallAtFpr)).toEqual(['0.001', '0.01']);
    expect(m.n).toBe(6);
    expect(m.positives).toBe(2);
    // Frauds 0.9 and 0.6 against legit 0.8, 0.3, 0.2, 0.1: 4 + 3 of 8 pairs won.
    expect(m.rocAuc).toBeCloseTo((4 + 3) / 8, 12);
    // 0.9: R ½, P 1; 0.8: no new fraud; 0.6: R 1, P 2/3.
    expect(m.averagePrecision).toBeCloseTo((1 / 2) * 1 + (1 / 2) * (2 / 3), 12);
    // Day 1: u1 is the only fraudulent user, caught: 1/100; day 2: u4 is, not yet caught: 1/100.
    expect(m.cardPrecisionAt100).toBeCloseTo((1 / 100 + 1 / 100) / 2, 12);
    // With 4 legit events, any legit flag is an FPR of 1/4 > 1 %: only 0.9 can be flagged.
    expect(m.recallAtFpr).toEqual({ '0.001': 1 / 2, '0.01': 1 / 2 });
    expect(m.brier).toBeCloseTo((0.1 ** 2 + 0.8 ** 2 + 0.3 ** 2 + 0.2 ** 2 + 0.4 ** 2 + 0.1 ** 2) / 6, 12);
    expect(m.logLoss).toBeCloseTo(-(Math.log(0.9) + Math.log(0.2) + Math.log(0.7) + Math.log(0.8) + Math.log(0.6) + Math.log(0.9)) / 6, 12);
  });

  it('reports metrics that are undefined on the data as null, so the JSON round-trips', () => {
    const m = evaluate({ ...input, labels: new Uint8Array(6) });
    expect(m).toMatchObject({ rocAuc: null, averagePrecision: null, recallAtFpr: { '0.001': null, '0.01': null }, positives: 0 });
    expect(m.cardPrecisionAt100).toBe(0);
    expect(JSON.parse(JSON.stringify(m))).toEqual(m);
  });
});
