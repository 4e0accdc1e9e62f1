import { randomBytes } from 'node:crypto';
import type { Config } from '../../core/config';
import { deriveKey } from '../../core/crypto';
import type { Logger } from '../../core/logger';
import type { RedisConnection } from '../../core/redis';
import { createSecurityStores, type SecurityStores, type SecurityStoresConfig } from '../stores/create-security-stores';
import { ApiKeyAuthenticator } from './api-key-authenticator';
import { API_KEY_HASH_PURPOSE } from './api-key-format';
import { ApiKeyService } from './api-keys';

export interface ServingSecurity extends SecurityStores {
  /** Creates, revokes and lists keys (audited). */
  keys: ApiKeyService;
  authenticator: ApiKeyAuthenticator;
}

/**
 * The stores of create-security-stores.ts plus what is built on them: the key service and the authenticator, both
 * hashing secrets under a key derived from VIGIL_PII_KEY. Against Redis, the authenticator trusts a lookup for
 * KEY_CACHE_TTL_MS (5 s, the revocation bound). Without Redis the keys live and die with the process, so without
 * VIGIL_PII_KEY a random per-process hashing key serves, and the authenticator asks the memory store every time
 * (free), so a revocation takes effect at once. `storeDeadlineMs` bounds the authenticator's lookups as it bounds the
 * rate limiter's round trips.
 */
export async function createServingSecurity(
  config: SecurityStoresConfig & Pick<Config, 'piiKey'>,
  log: Logger,
  connection?: RedisConnection,
): Promise<ServingSecurity> {
  const stores = await createSecurityStores(config, log, connection);
  const hashKey = config.piiKey ? deriveKey(config.piiKey, API_KEY_HASH_PURPOSE) : randomBytes(32);
  return {
    ...stores,
    keys: new ApiKeyService(stores.apiKeys, stores.audit, hashKey),
    authenticator: new ApiKeyAuthenticator(stores.apiKeys, hashKey, stores.kind === 'redis' ? { deadlineMs: config.storeDeadlineMs } : { cacheTtlMs: 0 }),
  };
}
