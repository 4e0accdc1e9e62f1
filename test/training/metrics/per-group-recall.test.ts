import { perGroupRecall } from '../../../training/metrics/per-group-recall';

describe('perGroupRecall', () => {
  it('gives each named scenario the share of its events at or above the threshold, skipping unnamed events', () => {
    const scores = Float64Array.from([0.9, 0.2, 0.7, 0.4, 0.1, 0.5]);
    const groups = ['ato', 'ato', 'sim_swap', '', 'ato', 'sim_swap'];
    expect(perGroupRecall(scores, groups, 0.5)).toEqual({
      ato: { n: 3, caught: 1, recall: 1 / 3 },
      sim_swap: { n: 2, caught: 2, recall: 2 / 2 }, // 0.5 itself counts as caught
    });
  });

  it('refuses groups that do not line up with the scores', () => {
    expect(() => perGroupRecall(Float64Array.from([0.1, 0.2]), ['a'], 0.5)).toThrow(/groups has 1 entries for 2 scores/);
  });
});
