import { Rng } from '../../../data/generator/prng';
import { SCENARIO_KINDS, planScenarios } from '../../../data/generator/scenarios';

describe('planScenarios', () => {
  it('starts each kind its expected number of times, after the first days', () => {
    const plan = planScenarios(new Rng(1, 3), 10_000, 50, 1);
    expect(plan).toHaveLength(50);
    expect(plan[0]).toEqual([]);
    expect(plan[1]).toEqual([]);
    for (const kind of SCENARIO_KINDS) {
      const expected = (kind.ratePer1000UserDays * 10_000 * 50) / 1000;
      const count = plan.flat().filter((k) => k === kind).length;
      expect(count).toBeGreaterThanOrEqual(Math.floor(expected));
      expect(count).toBeLessThanOrEqual(Math.ceil(expected));
    }
  });

  it('scales with the fraud scale, down to none', () => {
    const count = (scale: number) => planScenarios(new Rng(2, 3), 1000, 30, scale).flat().length;
    expect(count(0)).toBe(0);
    expect(count(20)).toBeGreaterThan(5 * count(2));
  });
});
