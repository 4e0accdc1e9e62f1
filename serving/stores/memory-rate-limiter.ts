import type { RateLimiter } from '../auth/authenticator';
import { gcra, type GcraLimit } from '../auth/gcra';

export interface MemoryRateLimiterOptions {
  /** Current time in ms (fractions allowed). @defaultValue `performance.timeOrigin + performance.now()` */
  now?: () => number;
}

/**
 * Per-key GCRA in process, for the embedded default (one process, so one budget per key). One entry per API key
 * that made a request: only authenticated keys reach the limiter, so the map is as small as the key store.
 */
export class MemoryRateLimiter implements RateLimiter {
  private readonly tats = new Map<string, number>();
  private readonly now: () => number;

  constructor(
    private readonly limit: GcraLimit,
    options: MemoryRateLimiterOptions = {},
  ) {
    this.now = options.now ?? (() => performance.timeOrigin + performance.now());
  }

  async take(keyId: string): Promise<{ allowed: boolean; retryAfterMs: number }> {
    const nowUs = this.now() * 1000;
    const result = gcra(this.tats.get(keyId), nowUs, this.limit);
    this.tats.set(keyId, result.tatUs);
    return { allowed: result.allowed, retryAfterMs: result.retryAfterMs };
  }
}
