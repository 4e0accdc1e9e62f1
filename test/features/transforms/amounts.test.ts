import { addAmount, amountMean, amountStd, amountZScore, emptyAmountStats, logAmount, ratioToMax, STAT_SCALE } from '../../../features/transforms/amounts';

function statsOf(amounts: number[]) {
  const s = emptyAmountStats();
  for (const usd of amounts) addAmount(s, usd);
  return s;
}

// Sums are kept at 1e-6 resolution, so means and deviations are exact to about that.
const DIGITS = 5;
const x = (usd: number) => Math.log1p(usd);

describe('amount statistics of ln(1 + USD)', () => {
  const s = statsOf([10, 100, 1000]);
  const mean = (x(10) + x(100) + x(1000)) / 3;
  const std = Math.sqrt((x(10) ** 2 + x(100) ** 2 + x(1000) ** 2) / 3 - mean ** 2);

  it('keeps the count, the largest amount and integer sums', () => {
    expect(s.n).toBe(3);
    expect(s.max).toBe(1000);
    expect(Number.isInteger(s.sum) && Number.isInteger(s.sumSq)).toBe(true);
    expect(s.sum / STAT_SCALE).toBeCloseTo(x(10) + x(100) + x(1000), DIGITS);
  });

  it('gives the mean and the population standard deviation', () => {
    expect(logAmount(100)).toBe(x(100));
    expect(amountMean(s)).toBeCloseTo(mean, DIGITS);
    expect(amountStd(s)).toBeCloseTo(std, DIGITS);
  });

  it('gives the z-score of a new amount, its deviation floored at 0.25', () => {
    expect(amountZScore(s, 5000)).toBeCloseTo((x(5000) - mean) / std, DIGITS);
    const same = statsOf([50, 50, 50]); // std 0: the floor keeps the score finite
    expect(amountZScore(same, 100)).toBeCloseTo((x(100) - x(50)) / 0.25, DIGITS);
    expect(amountZScore(same, 100, 0.5)).toBeCloseTo((x(100) - x(50)) / 0.5, DIGITS);
  });

  it('gives the ratio to the largest amount before, the largest floored at 1 USD', () => {
    expect(ratioToMax(s, 2500)).toBe(2500 / 1000);
    expect(ratioToMax(statsOf([0.2]), 3)).toBe(3 / 1);
  });

  it('is unknown (NaN) without enough history: mean and ratio need one, deviation and z-score two', () => {
    const none = emptyAmountStats();
    const one = statsOf([100]);
    expect(amountMean(none)).toBeNaN();
    expect(ratioToMax(none, 10)).toBeNaN();
    expect(amountMean(one)).toBeCloseTo(x(100), DIGITS);
    expect(amountStd(one)).toBeNaN();
    expect(amountZScore(one, 100)).toBeNaN();
  });

  it('gives bit-identical results whatever the order the amounts were added in', () => {
    const amounts = [0.1, 3.3, 17.77, 250, 1e6, 42.42, 0];
    const forward = statsOf(amounts);
    const backward = statsOf([...amounts].reverse());
    expect(backward).toEqual(forward);
    expect(Object.is(amountStd(backward), amountStd(forward))).toBe(true);
  });
});
