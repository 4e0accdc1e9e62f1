/**
 * The Generic Cell Rate Algorithm, a token bucket kept as one number: the theoretical arrival time (TAT) of the
 * next request if requests came exactly at the allowed rate. A request is allowed when it is no more than the burst
 * tolerance early; each allowed request pushes the TAT one emission interval further. Times are in microseconds.
 * The Redis limiter runs the same arithmetic in Lua (serving/stores/redis-rate-limiter.ts).
 */

export interface GcraLimit {
  /** Sustained requests per second. */
  ratePerSecond: number;
  /** Requests allowed at once after a quiet period (the bucket size). */
  burst: number;
}

export interface GcraResult {
  allowed: boolean;
  /** The TAT to keep: unchanged when the request is refused. */
  tatUs: number;
  /** How long until a request would be allowed, ms (0 when allowed). */
  retryAfterMs: number;
}

/** Microseconds between requests at the sustained rate. */
export function emissionIntervalUs(limit: GcraLimit): number {
  return 1_000_000 / limit.ratePerSecond;
}

/**
 * Decides one request. `tatUs` is the stored TAT (`undefined` for a key never seen), `nowUs` the current time.
 * Burst tolerance τ = (burst − 1)·T: a fresh key takes `burst` requests at once, then one per T.
 */
export function gcra(tatUs: number | undefined, nowUs: number, limit: GcraLimit): GcraResult {
  const interval = emissionIntervalUs(limit);
  const tolerance = (limit.burst - 1) * interval;
  const tat = Math.max(tatUs ?? nowUs, nowUs);
  const allowAt = tat - tolerance;
  if (nowUs < allowAt) return { allowed: false, tatUs: tat, retryAfterMs: Math.ceil((allowAt - nowUs) / 1000) };
  return { allowed: true, tatUs: tat + interval, retryAfterMs: 0 };
}
