/**
 * A small seeded generator for test data (mulberry32, Tommy Ettinger's public-domain 32-bit generator): the same
 * seed gives the same data on every run, so a test never passes or fails by luck.
 */
export function seededRandom(seed: number): { float: () => number; normal: () => number } {
  let state = seed >>> 0;
  const float = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  // Box–Muller; 1 − u keeps the logarithm's argument in (0, 1].
  const normal = (): number => Math.sqrt(-2 * Math.log(1 - float())) * Math.cos(2 * Math.PI * float());
  return { float, normal };
}
