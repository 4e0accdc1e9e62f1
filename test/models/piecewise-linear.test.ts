import { interpolate } from '../../models/piecewise-linear';

describe('interpolate', () => {
  const x = [0, 1, 3];
  const y = [0, 0.5, 1];

  it('interpolates linearly between the enclosing knots', () => {
    expect(interpolate(x, y, 0.5)).toBeCloseTo(0.5 / 2, 12);
    expect(interpolate(x, y, 2)).toBeCloseTo(0.5 + (1 - 0.5) * ((2 - 1) / (3 - 1)), 12);
    expect(interpolate(x, y, 1)).toBe(0.5);
  });

  it('clips to the end values outside the knots', () => {
    expect(interpolate(x, y, -1)).toBe(0);
    expect(interpolate(x, y, 10)).toBe(1);
  });

  it('is constant with a single knot and refuses no knots', () => {
    expect(interpolate([2], [0.3], -1)).toBe(0.3);
    expect(interpolate([2], [0.3], 7)).toBe(0.3);
    expect(() => interpolate([], [], 0)).toThrow(/knots/);
  });
});
