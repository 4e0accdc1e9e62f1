import { hourUsualness } from '../../../features/transforms/habits';

/** A 24-hour histogram with the given counts. */
function histogram(counts: Record<number, number>): number[] {
  const h = new Array<number>(24).fill(0);
  for (const [hour, n] of Object.entries(counts)) h[Number(hour)] = n;
  return h;
}

describe('hourUsualness', () => {
  it('is the smoothed share of the hour (½ on it, ¼ on each neighbour, + α) against a uniform spread', () => {
    const h = histogram({ 9: 2, 10: 4 }); // 6 logins
    expect(hourUsualness(h, 10)).toBeCloseTo(((0.5 * 4 + 0.25 * 2 + 0.25 * 0 + 0.5) / (6 + 24 * 0.5)) * 24, 12);
    expect(hourUsualness(h, 11)).toBeCloseTo(((0.5 * 0 + 0.25 * 4 + 0.25 * 0 + 0.5) / (6 + 24 * 0.5)) * 24, 12);
    expect(hourUsualness(h, 3)).toBeCloseTo((0.5 / (6 + 24 * 0.5)) * 24, 12);
    expect(hourUsualness(h, 10, 1)).toBeCloseTo(((0.5 * 4 + 0.25 * 2 + 1) / (6 + 24 * 1)) * 24, 12);
  });

  it('wraps around midnight: 23 and 1 are the neighbours of 0', () => {
    const h = histogram({ 23: 8, 1: 4 });
    expect(hourUsualness(h, 0)).toBeCloseTo(((0.25 * 8 + 0.25 * 4 + 0.5) / (12 + 12)) * 24, 12);
    expect(hourUsualness(h, 23)).toBeCloseTo(((0.5 * 8 + 0.5) / (12 + 12)) * 24, 12);
  });

  it('is 1 at any hour for a user who logs in uniformly', () => {
    const h = new Array<number>(24).fill(3);
    for (const hour of [0, 7, 23]) expect(hourUsualness(h, hour)).toBeCloseTo(1, 12);
  });

  it('is unknown (NaN) without history', () => {
    expect(hourUsualness(new Array<number>(24).fill(0), 12)).toBeNaN();
  });
});
