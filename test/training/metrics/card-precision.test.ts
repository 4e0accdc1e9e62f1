import { cardPrecisionAtK, cardPrecisionByDay, type CardPrecisionInput } from '../../../training/metrics/card-precision';

type Row = [day: string, user: string, score: number, fraud: 0 | 1];

function input(rows: Row[]): CardPrecisionInput {
  return {
    days: rows.map((r) => r[0]),
    userIds: rows.map((r) => r[1]),
    scores: Float64Array.from(rows.map((r) => r[2])),
    labels: Uint8Array.from(rows.map((r) => r[3])),
  };
}

// Three test days, k = 2, rows deliberately out of day order.
const THREE_DAYS: Row[] = [
  ['2024-03-03', 'C', 0.99, 1], // C was caught on day 2: gone from day 3's ranking
  ['2024-03-03', 'E', 0.8, 1], // E fraudulent on day 2 but not in that top 2: still ranked
  ['2024-03-01', 'A', 0.9, 1],
  ['2024-03-01', 'B', 0.8, 0],
  ['2024-03-01', 'B', 0.2, 0],
  ['2024-03-01', 'C', 0.7, 1],
  ['2024-03-01', 'D', 0.1, 0],
  ['2024-03-02', 'A', 0.95, 1], // A was caught on day 1
  ['2024-03-02', 'C', 0.6, 0], // C's best score that day comes from a legit event…
  ['2024-03-02', 'C', 0.3, 1], // …and a fraud the same day makes C a fraudulent user
  ['2024-03-02', 'D', 0.5, 0],
  ['2024-03-02', 'E', 0.4, 1],
];

describe('cardPrecisionAtK', () => {
  it('ranks users by their best score of the day and removes users caught on earlier days', () => {
    const perDay = cardPrecisionByDay(input(THREE_DAYS), 2);
    expect(perDay).toEqual([
      // Day 1: A 0.9, B 0.8, C 0.7, D 0.1 → top 2 = A (fraud), B → 1/2; A leaves.
      { day: '2024-03-01', precision: 1 / 2, detected: ['A'], fraudUsers: 2 },
      // Day 2 without A: C 0.6 (fraud), D 0.5, E 0.4 (fraud) → top 2 = C, D → 1/2; C leaves.
      { day: '2024-03-02', precision: 1 / 2, detected: ['C'], fraudUsers: 2 },
      // Day 3 without C: only E (fraud) remains; still divided by k = 2, not by the 1 user left.
      { day: '2024-03-03', precision: 1 / 2, detected: ['E'], fraudUsers: 1 },
    ]);
    expect(cardPrecisionAtK(input(THREE_DAYS), 2)).toBeCloseTo((1 / 2 + 1 / 2 + 1 / 2) / 3, 12);
  });

  it('would score higher without the removal, which is what the removal is for', () => {
    // Ranking A and C again on days 2 and 3 would give 2/2 on both: (1/2 + 1 + 1) / 3. Only removal yields 1/2.
    expect(cardPrecisionAtK(input(THREE_DAYS), 2)).not.toBeCloseTo((1 / 2 + 1 + 1) / 3, 6);
  });

  it('does not depend on row order and breaks score ties by user id', () => {
    const reversed = input([...THREE_DAYS].reverse());
    expect(cardPrecisionByDay(reversed, 2)).toEqual(cardPrecisionByDay(input(THREE_DAYS), 2));
    // Three users tie at 0.5 for two places: 'a' and 'b' win by id, so fraudulent 'c' is not caught.
    const ties = input([
      ['d1', 'c', 0.5, 1],
      ['d1', 'b', 0.5, 0],
      ['d1', 'a', 0.5, 1],
    ]);
    expect(cardPrecisionByDay(ties, 2)).toEqual([{ day: 'd1', precision: 1 / 2, detected: ['a'], fraudUsers: 2 }]);
  });

  it('defaults to k = 100 and divides by it on a small day', () => {
    const rows: Row[] = [
      ['d1', 'u1', 0.9, 1],
      ['d1', 'u2', 0.8, 1],
      ['d1', 'u3', 0.1, 0],
    ];
    expect(cardPrecisionAtK(input(rows))).toBeCloseTo(2 / 100, 12);
  });

  it('is NaN without events and refuses misaligned columns or a bad k', () => {
    expect(cardPrecisionAtK(input([]))).toBeNaN();
    const bad = { ...input(THREE_DAYS), days: ['2024-03-01'] };
    expect(() => cardPrecisionAtK(bad)).toThrow(/days has 1 entries for 12 scores/);
    expect(() => cardPrecisionAtK(input(THREE_DAYS), 0)).toThrow(/k must be a whole number ≥ 1, got 0/);
  });
});
