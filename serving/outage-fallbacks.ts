import { createHash } from 'node:crypto';
import { UnavailableError } from '../core/errors';
import type { Logger } from '../core/logger';
import type { Authenticator, Principal, RateLimiter } from './auth/authenticator';

/** While the store is known to be away, how long requests go straight to the fallbacks before one probe tries it, ms. */
export const OUTAGE_PROBE_MS = 1_000;

export interface OutageWatchOptions {
  log: Logger;
  /** @defaultValue {@link OUTAGE_PROBE_MS} */
  probeEveryMs?: number;
  /** Current time, ms. @defaultValue Date.now */
  now?: () => number;
}

/**
 * Whether the serving Redis (keys and rate limits) is known to be unreachable, shared by the fallbacks below. Without
 * it every request would wait out the store's deadline before falling back, once for its key and once for its rate
 * limit, and the scoring deadline could not hold while Redis hangs. Once a call has failed, requests use the
 * fallbacks at once; one probe at a time, at most every `probeEveryMs`, asks the store in the background (the rate
 * limiter's, which reaches Redis whenever its lease is spent), and the first answer ends the outage.
 */
export class OutageWatch {
  private since: number | undefined;
  private lastProbe = -Infinity;
  private probing = false;
  private readonly probeEveryMs: number;
  private readonly now: () => number;

  constructor(private readonly o: OutageWatchOptions) {
    this.probeEveryMs = o.probeEveryMs ?? OUTAGE_PROBE_MS;
    this.now = o.now ?? Date.now;
  }

  get down(): boolean {
    return this.since !== undefined;
  }

  failed(err: Error): void {
    if (this.since !== undefined) return;
    this.since = this.now();
    this.lastProbe = this.since;
    this.o.log.warn({ err: err.message }, 'serving store unreachable; recently authenticated keys keep working and rate limits hold per instance');
  }

  reachable(): void {
    if (this.since === undefined) return;
    this.o.log.info({ outageMs: this.now() - this.since }, 'serving store reachable again');
    this.since = undefined;
  }

  /** Runs `call` in the background if a probe is due; an answer of any kind but {@link UnavailableError} ends the outage. */
  probe(call: () => Promise<unknown>): void {
    if (this.probing || this.now() - this.lastProbe < this.probeEveryMs) return;
    this.probing = true;
    this.lastProbe = this.now();
    call()
      .then(
        () => this.reachable(),
        (err: unknown) => (err instanceof UnavailableError ? undefined : this.reachable()),
      )
      .finally(() => {
        this.probing = false;
      });
  }
}

export interface RememberingAuthenticatorOptions {
  /** How long a successful authentication may stand in for the store while it is unreachable, ms. @defaultValue 900000 */
  maxStaleMs?: number;
  /** Most remembered (key, address) pairs; the oldest goes first. @defaultValue 10000 */
  maxRemembered?: number;
  /** The serving store's state, shared with the rate limiter. */
  watch: OutageWatch;
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
 * hangs must fail by itself: the inner authenticator bounds its lookups (ApiKeyAuthenticator's `deadlineMs`). While
 * the {@link OutageWatch} knows the store is away, a remembered pair does not ask it at all.
 */
export class RememberingAuthenticator implements Authenticator {
  private readonly remembered = new Map<string, { principal: Principal; at: number }>();
  private readonly maxStaleMs: number;
  private readonly maxRemembered: number;
  private readonly now: () => number;

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
    // The rate limiter's probes end the outage: a success here may have come from the inner authenticator's cache.
    const known = this.o.watch.down ? this.fresh(id) : undefined;
    if (known) return known;
    try {
      return await this.ask(id, authorization, ip);
    } catch (err) {
      if (!(err instanceof UnavailableError)) throw err;
      this.o.watch.failed(err);
      const remembered = this.fresh(id);
      if (!remembered) throw err;
      return remembered;
    }
  }

  /** The store's answer, remembered when it lets the pair in and forgotten when it refuses it. */
  private async ask(id: string, authorization: string | undefined, ip: string): Promise<Principal> {
    try {
      const principal = await this.inner.authenticate(authorization, ip);
      this.remembered.delete(id); // re-inserted at the young end of the map's order
      this.remembered.set(id, { principal, at: this.now() });
      if (this.remembered.size > this.maxRemembered) this.remembered.delete(this.remembered.keys().next().value as string);
      return principal;
    } catch (err) {
      // Revoked or moved out of its allowlist: no outage may bring it back.
      if (!(err instanceof UnavailableError)) this.remembered.delete(id);
      throw err;
    }
  }

  private fresh(id: string): Principal | undefined {
    const known = this.remembered.get(id);
    return known && this.now() - known.at <= this.maxStaleMs ? known.principal : undefined;
  }
}

/**
 * The shared (Redis) rate limiter, or, while it is unreachable, a per-instance one with the same budget: limits stay
 * in force through an outage (per instance rather than across instances) instead of failing every request. The
 * shared limiter bounds its own round trips (RedisRateLimiter's `deadlineMs`), so a request it serves from a lease
 * pays for no timer here; while the {@link OutageWatch} knows Redis is away, requests do not wait on it at all.
 */
export class FallbackRateLimiter implements RateLimiter {
  constructor(
    private readonly shared: RateLimiter,
    private readonly local: RateLimiter,
    private readonly watch: OutageWatch,
  ) {}

  async take(keyId: string): Promise<{ allowed: boolean; retryAfterMs: number }> {
    if (this.watch.down) {
      // The probe charges the shared budget for this request too: what it spends is what this request used.
      this.watch.probe(() => this.shared.take(keyId));
      return this.local.take(keyId);
    }
    try {
      const result = await this.shared.take(keyId);
      this.watch.reachable();
      return result;
    } catch (err) {
      if (!(err instanceof UnavailableError)) throw err;
      this.watch.failed(err);
      return this.local.take(keyId);
    }
  }
}
