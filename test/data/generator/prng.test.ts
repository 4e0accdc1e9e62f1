import { Rng, lowbias32 } from '../../../data/generator/prng';

const draw = (rng: Rng, n: number, f: (r: Rng) => number): number[] => Array.from({ length: n }, () => f(rng));
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('Rng', () => {
  it('repeats itself for the same seed and stream, and differs otherwise', () => {
    const a = draw(new Rng(42, 1), 10, (r) => r.float());
    expect(draw(new Rng(42, 1), 10, (r) => r.float())).toEqual(a);
    expect(draw(new Rng(42, 2), 10, (r) => r.float())).not.toEqual(a);
    expect(draw(new Rng(43, 1), 10, (r) => r.float())).not.toEqual(a);
  });

  it('decorrelates neighbouring seeds (the hash spreads them)', () => {
    expect(lowbias32(1)).not.toBe(lowbias32(2));
    const firsts = Array.from({ length: 1000 }, (_, seed) => new Rng(seed, 1).float());
    expect(mean(firsts)).toBeCloseTo(0.5, 1);
  });

  it('draws uniform floats in [0, 1) and integers in range', () => {
    const rng = new Rng(1, 1);
    const xs = draw(rng, 20000, (r) => r.float());
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(mean(xs)).toBeCloseTo(0.5, 1);
    const ints = draw(rng, 5000, (r) => r.intBetween(3, 5));
    expect(new Set(ints)).toEqual(new Set([3, 4, 5]));
  });

  it('draws the distributions with the right means', () => {
    const rng = new Rng(2, 1);
    expect(mean(draw(rng, 40000, (r) => r.normal()))).toBeCloseTo(0, 1);
    const sd = Math.sqrt(mean(draw(rng, 40000, (r) => r.normal() ** 2)));
    expect(sd).toBeCloseTo(1, 1);
    expect(mean(draw(rng, 40000, (r) => r.exponential(3)))).toBeCloseTo(3, 0);
    expect(mean(draw(rng, 40000, (r) => r.poisson(2.5)))).toBeCloseTo(2.5, 1);
    expect(mean(draw(rng, 20000, (r) => r.poisson(50)))).toBeCloseTo(50, 0);
    const logNormals = draw(rng, 40001, (r) => r.logNormal(Math.log(100), 1)).sort((a, b) => a - b);
    expect((logNormals[20000] as number) / 100).toBeCloseTo(1, 0);
    const heads = draw(rng, 20000, (r) => (r.chance(0.2) ? 1 : 0));
    expect(mean(heads)).toBeCloseTo(0.2, 1);
  });

  it('picks by weight', () => {
    const rng = new Rng(3, 1);
    const picks = draw(rng, 30000, (r) => r.weightedIndex([1, 0, 3]));
    expect(picks.filter((i) => i === 1)).toEqual([]);
    expect(picks.filter((i) => i === 2).length / picks.length).toBeCloseTo(0.75, 1);
    expect(() => rng.pick([])).toThrow(RangeError);
  });

  it('makes bytes and hex of the asked length', () => {
    const rng = new Rng(4, 1);
    expect(rng.bytes(21)).toHaveLength(21);
    expect(rng.hex(40)).toMatch(/^[0-9a-f]{40}$/);
  });
});
