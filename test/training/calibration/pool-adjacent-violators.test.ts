import { poolAdjacentViolators } from '../../../training/calibration/pool-adjacent-violators';

const fit = (values: number[], weights?: number[]): number[] => Array.from(poolAdjacentViolators(values, weights));

describe('poolAdjacentViolators', () => {
  it('pools a single violation into its mean', () => {
    expect(fit([1, 3, 2, 4])).toEqual([1, (3 + 2) / 2, (3 + 2) / 2, 4]);
  });

  it('keeps merging backwards until the block means rise', () => {
    // 5 > 1 pools to 3, which is below 4, so 4 joins: (4 + 5 + 1) / 3.
    expect(fit([4, 5, 1, 6])).toEqual([10 / 3, 10 / 3, 10 / 3, 6]);
    expect(fit([3, 2, 1])).toEqual([2, 2, 2]);
  });

  it('pools by weighted mean', () => {
    expect(fit([1, 3, 2, 4], [1, 1, 3, 1])).toEqual([1, (3 * 1 + 2 * 3) / 4, (3 * 1 + 2 * 3) / 4, 4]);
  });

  it('leaves a non-decreasing sequence, ties included, as it is', () => {
    expect(fit([0, 0.1, 0.1, 0.1, 1])).toEqual([0, 0.1, 0.1, 0.1, 1]);
    expect(fit([])).toEqual([]);
  });

  it('refuses non-positive weights and misaligned weights', () => {
    expect(() => fit([1, 2], [1, 0])).toThrow(/weight 1 is 0, expected a positive number/);
    expect(() => fit([1, 2], [1])).toThrow(/weights has 1 entries for 2 scores/);
  });
});
