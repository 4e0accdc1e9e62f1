import { xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import type { JumpableRandomGenerator } from 'pure-rand/types/JumpableRandomGenerator';

/**
 * Seeded randomness for the generator. Every random choice goes through an {@link Rng} that the caller passes in,
 * so the same seed gives byte-identical output; `Math.random` is never used.
 */

/**
 * Chris Wellons' `lowbias32` integer hash (hash-prospector, github.com/skeeto/hash-prospector): mixes a 32-bit
 * value so that neighbouring seeds give unrelated generator states.
 */
export function lowbias32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** The generator's independent random streams: one per concern, so that changing one does not shift the others. */
export const STREAMS = { world: 1, benign: 2, fraud: 3, labels: 4, prices: 5 } as const;

/**
 * A xoroshiro128+ generator (pure-rand) with the distributions the generator needs. Streams of one seed are made
 * independent by hashing `(seed, stream)` into the 128-bit state instead of seeding with the raw number (pure-rand's
 * `xoroshiro128plus(seed)` puts the seed's bits straight into the state, so nearby seeds start out correlated).
 */
export class Rng {
  private readonly gen: JumpableRandomGenerator;
  /** Second value of the last Box–Muller pair, used by the next {@link normal} call. */
  private spareNormal: number | undefined;

  constructor(seed: number, stream: number) {
    let h = lowbias32((seed >>> 0) ^ Math.imul(stream, 0x9e3779b9));
    const state: number[] = [];
    for (let i = 0; i < 4; i++) {
      h = lowbias32(h + 0x6d2b79f5 + i);
      state.push(h | 0);
    }
    // An all-zero state would make xoroshiro emit zeros forever.
    if (!state.some((w) => w !== 0)) state[0] = 1;
    this.gen = xoroshiro128plusFromState(state);
  }

  /** Uniform in [0, 1) with 32 bits of resolution (plenty for simulation, and one generator step). */
  float(): number {
    return (this.gen.next() >>> 0) * 2.3283064365386963e-10;
  }

  /** Uniform in [min, max). */
  uniform(min: number, max: number): number {
    return min + (max - min) * this.float();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** Uniform integer in [min, max], both ends included. */
  intBetween(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[this.int(items.length)] as T;
  }

  /** Picks an index with probability proportional to `weights[i]`. */
  weightedIndex(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) total += w;
    let r = this.float() * total;
    for (let i = 0; i < weights.length; i++) {
      r -= weights[i] as number;
      if (r < 0) return i;
    }
    return weights.length - 1;
  }

  /** Standard normal by the Box–Muller transform (Box & Muller, 1958), keeping the pair's second value. */
  normal(): number {
    if (this.spareNormal !== undefined) {
      const z = this.spareNormal;
      this.spareNormal = undefined;
      return z;
    }
    const u1 = 1 - this.float(); // in (0, 1]: log(0) would be -Infinity
    const u2 = this.float();
    const r = Math.sqrt(-2 * Math.log(u1));
    this.spareNormal = r * Math.sin(2 * Math.PI * u2);
    return r * Math.cos(2 * Math.PI * u2);
  }

  /** exp(N(mu, sigma²)): heavy-tailed positive values whose median is exp(mu). */
  logNormal(mu: number, sigma: number): number {
    return Math.exp(mu + sigma * this.normal());
  }

  /** Exponential with the given mean (inverse transform). */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.float());
  }

  /** Log-uniform in [min, max): as many values between 1 and 10 as between 10 and 100. */
  logUniform(min: number, max: number): number {
    return min * Math.exp(Math.log(max / min) * this.float());
  }

  /**
   * Poisson count with mean `lambda`: Knuth's multiplication method for small means, a rounded normal
   * approximation above 30 where the multiplication method gets slow and loses precision.
   */
  poisson(lambda: number): number {
    if (lambda <= 0) return 0;
    if (lambda > 30) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * this.normal()));
    const limit = Math.exp(-lambda);
    let k = 0;
    let p = this.float();
    while (p > limit) {
      k++;
      p *= this.float();
    }
    return k;
  }

  /** `n` random bytes. */
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i += 4) {
      const v = this.gen.next();
      for (let j = 0; j < 4 && i + j < n; j++) out[i + j] = (v >>> (8 * j)) & 0xff;
    }
    return out;
  }

  /** `n` random lower-case hex digits. */
  hex(n: number): string {
    let s = '';
    while (s.length < n) s += (this.gen.next() >>> 0).toString(16).padStart(8, '0');
    return s.slice(0, n);
  }
}
