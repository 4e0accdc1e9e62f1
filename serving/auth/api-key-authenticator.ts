import { timingSafeEqual } from 'node:crypto';
import { withDeadline } from '../../core/deadline';
import type { ApiKeyRecord, ApiKeyStore } from '../stores/api-key-store';
import { hashSecret, parseApiKey } from './api-key-format';
import { ForbiddenError, UnauthorizedError, type Authenticator, type Principal } from './authenticator';
import { createIpAllowlist, parseCidr, type Cidr } from './ip-allowlist';

/**
 * How long an instance trusts a key it looked up, ms: the revocation bound. A key revoked in Redis is refused by
 * every instance at most this long after.
 */
export const KEY_CACHE_TTL_MS = 5_000;

export interface ApiKeyAuthenticatorOptions {
  /**
   * How long a key looked up in the store is trusted without asking again, ms (the revocation bound). 0 asks the
   * store on every request. @defaultValue {@link KEY_CACHE_TTL_MS} (5 s)
   */
  cacheTtlMs?: number;
  /** Most key ids cached (known or unknown); the oldest lookup is dropped first. @defaultValue 10000 */
  maxCached?: number;
  /** Current time, ms. @defaultValue Date.now */
  now?: () => number;
  /**
   * How long a store lookup may take before it fails as unreachable (UnavailableError), ms: a store that hangs must
   * fail as fast as one that is down. @defaultValue 250
   */
  deadlineMs?: number;
}

/** A store lookup as cached: the record (`undefined`: no such key) and its allowlist, ready to check. */
interface Lookup {
  record: ApiKeyRecord | undefined;
  allows: (ip: string) => boolean;
}

/**
 * Checks `Authorization: Bearer vgl_<id>_<secret>` against the key store: the keyed hash of the secret must equal
 * the stored one (compared in constant time), the key must not be revoked, and the client address must be inside
 * the key's allowlist. Every failure but the last is the same {@link UnauthorizedError}, so a caller cannot tell an
 * unknown id from a wrong secret or a revoked key; an address outside the allowlist is {@link ForbiddenError}.
 *
 * Lookups are cached for `cacheTtlMs` (default 5 s) so that scoring does not pay a Redis round trip per request;
 * unknown ids are cached too, so guessing ids does not turn into Redis load. A store error is not cached and
 * reaches the caller (503): without the store no key can be checked, and none is let through.
 */
export class ApiKeyAuthenticator implements Authenticator {
  private readonly cache = new Map<string, { expiresAt: number; lookup: Promise<Lookup> }>();
  private readonly cacheTtlMs: number;
  private readonly maxCached: number;
  private readonly now: () => number;
  private readonly deadlineMs: number;

  /** @param hashKey - the key secrets are hashed with: `deriveKey(piiKey, API_KEY_HASH_PURPOSE)` */
  constructor(
    private readonly store: ApiKeyStore,
    private readonly hashKey: Buffer,
    options: ApiKeyAuthenticatorOptions = {},
  ) {
    this.cacheTtlMs = options.cacheTtlMs ?? KEY_CACHE_TTL_MS;
    this.maxCached = options.maxCached ?? 10_000;
    this.now = options.now ?? Date.now;
    this.deadlineMs = options.deadlineMs ?? 250;
  }

  async authenticate(authorization: string | undefined, ip: string): Promise<Principal> {
    const token = /^Bearer +(\S+) *$/i.exec(authorization ?? '')?.[1];
    const parsed = token === undefined ? undefined : parseApiKey(token);
    if (!parsed) throw new UnauthorizedError();
    const { record, allows } = await this.lookup(parsed.id);
    if (!record || !secretMatches(hashSecret(this.hashKey, parsed.secret), record.secretHash) || record.revokedAt !== undefined) {
      throw new UnauthorizedError();
    }
    if (!allows(ip)) throw new ForbiddenError(`API key '${record.name}' may not be used from address ${ip || '(unknown)'}`);
    return { keyId: record.id, name: record.name, scopes: record.scopes };
  }

  private lookup(id: string): Promise<Lookup> {
    const now = this.now();
    const cached = this.cache.get(id);
    if (cached && cached.expiresAt > now) return cached.lookup;
    this.cache.delete(id); // re-inserted below, at the young end of the map's order
    const lookup = withDeadline(this.store.get(id), this.deadlineMs, 'api_key_store_unavailable').then((record) => ({ record, allows: createIpAllowlist(record ? cidrsOf(record) : []) }));
    if (this.cacheTtlMs > 0) {
      this.cache.set(id, { expiresAt: now + this.cacheTtlMs, lookup });
      if (this.cache.size > this.maxCached) this.cache.delete(this.cache.keys().next().value as string);
      lookup.catch(() => {
        if (this.cache.get(id)?.lookup === lookup) this.cache.delete(id);
      });
    }
    return lookup;
  }
}

function secretMatches(computed: string, stored: string): boolean {
  const a = Buffer.from(computed, 'base64url');
  const b = Buffer.from(stored, 'base64url');
  // timingSafeEqual needs equal lengths; a stored hash of another length is corrupt and matches nothing.
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The stored CIDRs were validated when the key was created; one that no longer parses fails closed. */
function cidrsOf(record: ApiKeyRecord): Cidr[] {
  return record.allowedCidrs.map((text) => {
    const cidr = parseCidr(text);
    if ('problem' in cidr) throw new Error(`API key ${record.id} has an invalid stored allowlist entry: ${cidr.problem}`);
    return cidr;
  });
}
