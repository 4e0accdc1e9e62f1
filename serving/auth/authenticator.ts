import { VigilError } from '../../core/errors';

export const SCOPES = ['score', 'ingest', 'label', 'review', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

/** The API key behind a request. */
export interface Principal {
  keyId: string;
  name: string;
  scopes: readonly Scope[];
}

/**
 * Turns an `Authorization` header and the client IP into the key's principal, or throws
 * {@link UnauthorizedError} (no, malformed, unknown or revoked key) / {@link ForbiddenError} (IP outside the key's
 * allowlist).
 */
export interface Authenticator {
  authenticate(authorization: string | undefined, ip: string): Promise<Principal>;
}

export class UnauthorizedError extends VigilError {
  constructor(message = 'missing or invalid API key') {
    super('unauthorized', message, 401);
  }
}

export class ForbiddenError extends VigilError {
  constructor(message: string) {
    super('forbidden', message, 403);
  }
}

export class RateLimitedError extends VigilError {
  constructor(readonly retryAfterSeconds: number) {
    super('rate_limited', `rate limit exceeded; retry after ${retryAfterSeconds} s`, 429);
  }
}

/** Per-key request budget. */
export interface RateLimiter {
  /** Takes one request from the key's budget. */
  take(keyId: string): Promise<{ allowed: boolean; retryAfterMs: number }>;
}
