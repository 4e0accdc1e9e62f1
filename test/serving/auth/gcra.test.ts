import { emissionIntervalUs, gcra } from '../../../serving/auth/gcra';

const limit = { ratePerSecond: 10, burst: 3 }; // T = 100 ms = 100 000 µs, tolerance = 2·T

/** Sends requests at the given times (µs) and returns which were allowed, threading the TAT through. */
function run(times: number[], l = limit): { allowed: boolean[]; retryAfterMs: number[] } {
  let tat: number | undefined;
  const allowed: boolean[] = [];
  const retryAfterMs: number[] = [];
  for (const t of times) {
    const r = gcra(tat, t, l);
    tat = r.tatUs;
    allowed.push(r.allowed);
    retryAfterMs.push(r.retryAfterMs);
  }
  return { allowed, retryAfterMs };
}

describe('gcra', () => {
  it('has an emission interval of one second over the rate', () => {
    expect(emissionIntervalUs(limit)).toBe(1_000_000 / 10);
  });

  it('lets a fresh key send `burst` requests at once, then refuses with the wait until the next one', () => {
    const { allowed, retryAfterMs } = run([0, 0, 0, 0, 0]);
    expect(allowed).toEqual([true, true, true, false, false]);
    expect(retryAfterMs).toEqual([0, 0, 0, 100, 100]); // 3·T − 2·T − 0 = T = 100 ms
  });

  it('refills at the sustained rate: one more request per emission interval', () => {
    const T = 100_000;
    const { allowed } = run([0, 0, 0, T - 1, T, T, 2 * T + 50_000, 2 * T + 50_000]);
    expect(allowed).toEqual([true, true, true, false, true, false, true, false]);
  });

  it('tells how long to wait, rounded up to whole ms', () => {
    const { retryAfterMs } = run([0, 0, 0, 30_500]); // next allowed at 100 000 µs: 69.5 ms away
    expect(retryAfterMs[3]).toBe(Math.ceil((100_000 - 30_500) / 1000));
  });

  it('does not charge refused requests: a client hammering while refused gets in as soon as the interval passes', () => {
    const times = [0, 0, 0, ...Array.from({ length: 50 }, (_, i) => 1_000 * (i + 1)), 100_000];
    const { allowed } = run(times);
    expect(allowed.filter(Boolean)).toHaveLength(4);
    expect(allowed.at(-1)).toBe(true);
  });

  it('forgets bursts after a quiet period: the bucket is full again, not more than full', () => {
    const { allowed } = run([0, 0, 0, 10_000_000, 10_000_000, 10_000_000, 10_000_000]);
    expect(allowed).toEqual([true, true, true, true, true, true, false]);
  });

  it('holds a long run at the rate: 1000 requests per second for 10 s get burst + one per interval', () => {
    const times = Array.from({ length: 10_000 }, (_, i) => i * 1_000); // 0 ms, 1 ms, …, 9 999 ms
    const { allowed } = run(times);
    // 0, 1 and 2 ms (the burst), then one every 100 ms from 100 ms to 9 900 ms.
    expect(allowed.filter(Boolean)).toHaveLength(3 + 99);
  });
});
