import type { Config } from '../../core/config';
import type { Logger } from '../../core/logger';
import { connectRedis, type RedisConnection } from '../../core/redis';
import type { RateLimiter } from '../auth/authenticator';
import type { ApiKeyStore } from './api-key-store';
import { MemoryApiKeyStore } from './memory-api-key-store';
import { MemoryAuditLog } from './memory-audit-log';
import { MemoryRateLimiter } from './memory-rate-limiter';
import { MemoryResponseStore } from './memory-response-store';
import { RedisApiKeyStore, type ApiKeyCommands } from './redis-api-key-store';
import { RedisAuditLog, type AuditCommands } from './redis-audit-log';
import { RATE_LIMIT_SCRIPTS, RedisRateLimiter, type RateLimitCommands } from './redis-rate-limiter';
import { RedisResponseStore, type ResponseCommands } from './redis-response-store';
import type { AuditTrail, ResponseStore } from './serving-stores';

/** The service's own state: API keys, rate-limit budgets, the audit trail and remembered answers. */
export interface SecurityStores {
  kind: 'memory' | 'redis';
  apiKeys: ApiKeyStore;
  rateLimiter: RateLimiter;
  audit: AuditTrail;
  responses: ResponseStore;
  /** Closes the Redis connection (nothing to do in memory). */
  close(): Promise<void>;
}

export type SecurityStoresConfig = Pick<Config, 'redisUrls' | 'redisKeyPrefix' | 'rateLimitPerSecond' | 'auditRetentionDays'> & {
  /**
   * How long a rate-limit round trip may take before Redis counts as unreachable, ms. `vigil serve` gives the scoring
   * deadline, so that a hung Redis cannot hold a score longer. @defaultValue 250
   */
  storeDeadlineMs?: number;
};

/**
 * Picks the backend from the configuration: Redis (single node or cluster, one connection shared by the four
 * stores, every key under VIGIL_REDIS_KEY_PREFIX) when REDIS_URL is set, else the in-process stores. The rate limit
 * is VIGIL_RATE_LIMIT_PER_SECOND per key with a burst of the same size. `connection` (registered with
 * {@link RATE_LIMIT_SCRIPTS}; closed with the stores) replaces a connection of their own.
 */
export async function createSecurityStores(config: SecurityStoresConfig, log: Logger, connection?: RedisConnection): Promise<SecurityStores> {
  const limit = { ratePerSecond: config.rateLimitPerSecond, burst: config.rateLimitPerSecond };
  if (!config.redisUrls) {
    return {
      kind: 'memory',
      apiKeys: new MemoryApiKeyStore(),
      rateLimiter: new MemoryRateLimiter(limit),
      audit: new MemoryAuditLog(),
      responses: new MemoryResponseStore(),
      close: async () => {},
    };
  }
  const redis =
    connection ?? (await connectRedis(config.redisUrls, { scripts: RATE_LIMIT_SCRIPTS }, (err) => log.warn({ err: err.message }, 'serving store connection error')));
  const keyPrefix = config.redisKeyPrefix;
  return {
    kind: 'redis',
    apiKeys: new RedisApiKeyStore(redis as unknown as ApiKeyCommands, { keyPrefix }),
    rateLimiter: new RedisRateLimiter(redis as unknown as RateLimitCommands, limit, { keyPrefix, deadlineMs: config.storeDeadlineMs }),
    audit: new RedisAuditLog(redis as unknown as AuditCommands, { keyPrefix, retentionDays: config.auditRetentionDays }),
    responses: new RedisResponseStore(redis as unknown as ResponseCommands, { keyPrefix }),
    close: async () => {
      await redis.close();
    },
  };
}
