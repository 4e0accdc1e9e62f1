import { createHash } from 'node:crypto';
import { UnavailableError } from '../core/errors';
import type { Logger } from '../core/logger';
import type { Authenticator, Principal, RateLimiter } from './auth/authenticator';

export interface RememberingAuthenticatorOptions {
  /** How long a successful authentication may stand in for the store while it is unreachable, ms. @defaultValue 900000 */
  maxStaleMs?: number;
  /** Most remembered (key, address) pairs; the oldest goes first. @defaultValue 10000 */
  maxRemembered?: number;
  log: Logger;
  /** Current time, ms. @defaultValue Date.now */
  now?: () => number;
}

/**
 * Keeps the API working while the store behind the keys (Redis) is away, so that scoring can answer with its fail
 * mode instead of a 503. It remembers each (key, client address) that authenticated successfully; when the store is
 * unreachable ({@link UnavailableError}), a remembered pair is let through if it succeeded within `maxStaleMs`.
 * Nothing new gets in during an outage: an unknown key, a wrong secret or a new address still fails (with the
 * store's error). Revocations cannot reach an instance while the store is away anyway; the bound limits how long a
 * key revoked just before the outage stays usable. Only a hash of the Authorization header is kept. A store that
 * hangs must fail by itself: the inner authenticator bounds its lookups (ApiKeyAuthenticator's `deadlineMs`).
 */
export class RememberingAuthenticator implements Authenticator {
  private readonly remembered = new Map<string, { principal: Principal; at: number }>();
  private readonly maxStaleMs: number;
  private readonly maxRemembered: number;
  private readonly now: () => number;
  private outage = false;

  constructor(
    private readonly inner: Authenticator,
    private readonly o: RememberingAuthenticatorOptions,
  ) {
    this.maxStaleMs = o.maxStaleMs ?? 15 * 60_000;
    this.maxRemembered = o.maxRemembered ?? 10_000;
    this.now = o.now ?? Date.now;
  }

  async authenticate(authorization: string | undefined, ip: string): Promise<Principal> {
    const id = createHash('sha256').update(`${authorization ?? ''}\u0000${ip}`).digest('base64url');
    try {
      const principal = await this.inner.authenticate(authorization, ip);
      this.remembered.delete(id); // re-inserted at the young end of the map's order
      this.remembered.set(id, { principal, at: this.now() });
      if (this.remembered.size > this.maxRemembered) this.remembered.delete(this.remembered.keys().next().value as string);
      if (this.outage) {
        this.outage = false;
        this.o.log.info('API key store reachable again');
      }
      return principal;
    } catch (err) {
      if (!(err instanceof UnavailableError)) {
        this.remembered.delete(id); // revoked or moved out of its allowlist: no outage may bring it back
        throw err;
      }
      const known = this.remembered.get(id);
      if (!known || this.now() - known.at > this.maxStaleMs) throw err;
      if (!this.outage) {
        this.outage = true;
        this.o.log.warn({ err: err.message }, 'API key store unreachable; keys that authenticated recently keep working');
      }
      return known.principal;
    }
  }
}

/**
 * The shared (Redis) rate limiter, or, while it is unreachable, a per-instance one with the same budget: limits stay
 * in force through an outage (per instance rather than across instances) instead of failing every request. The
 * shared limiter bounds its own round trips (RedisRateLimiter's `deadlineMs`), so a request it serves from a lease
 * pays for no timer here.
 */
export class FallbackRateLimiter implements RateLimiter {
  private outage = false;

  constructor(
    private readonly shared: RateLimiter,
    private readonly local: RateLimiter,
    private readonly log: Logger,
  ) {}

  async take(keyId: string): Promise<{ allowed: boolean; retryAfterMs: number }> {
    try {
      const result = await this.shared.take(keyId);
      if (this.outage) {
        this.outage = false;
        this.log.info('shared rate limiter reachable again');
      }
      return result;
    } catch (err) {
      if (!(err instanceof UnavailableError)) throw err;
      if (!this.outage) {
        this.outage = true;
        this.log.warn({ err: err.message }, 'shared rate limiter unreachable; limiting per instance');
      }
      return this.local.take(keyId);
    }
  }
}
