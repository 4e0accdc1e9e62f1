import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { ForbiddenError, RateLimitedError, type Authenticator, type Principal, type RateLimiter, type Scope } from '../auth/authenticator';

/**
 * Authenticates every `/v1` request and charges its key's rate limit; the principal goes to `res.locals`, with the
 * time the request reached the app (scoring counts its deadline from it, see {@link receivedAtOf}).
 */
export function authenticate(auth: Authenticator, limiter: RateLimiter): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    res.locals.receivedAt = performance.now();
    const principal = await auth.authenticate(req.get('authorization'), req.ip ?? req.socket.remoteAddress ?? '');
    const budget = await limiter.take(principal.keyId);
    if (!budget.allowed) {
      const seconds = Math.max(1, Math.ceil(budget.retryAfterMs / 1000));
      res.set('Retry-After', String(seconds));
      throw new RateLimitedError(seconds);
    }
    res.locals.principal = principal;
    next();
  };
}

export function principalOf(res: Response): Principal {
  return res.locals.principal as Principal;
}

/** When the request reached the app, `performance.now()` ms. */
export function receivedAtOf(res: Response): number {
  return res.locals.receivedAt as number;
}

export function requireScope(scope: Scope): RequestHandler {
  return (_req, res, next) => {
    const principal = principalOf(res);
    if (!principal.scopes.includes(scope)) throw new ForbiddenError(`API key '${principal.name}' lacks the '${scope}' scope`);
    next();
  };
}
