/**
 * Seeded uniform numbers in [0, 1) from Mulberry32 (Tommy Ettinger, public domain, 2017): a 32-bit state, small
 * and fast, good enough for sampling rows and features, and the same sequence on every platform.
 */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
