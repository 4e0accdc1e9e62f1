import type { Config } from '../../core/config';
import type { Logger } from '../../core/logger';
import { connectRedis, type RedisConnection } from '../../core/redis';
import { clearLocations, sealedLocations, type LocationCipher } from '../location-cipher';
import { hmacPseudonymizer, identityPseudonymizer, type Pseudonymizer } from '../pseudonymizer';
import type { FeatureStore } from './feature-store';
import { MemoryFeatureStore } from './memory-feature-store';
import { RedisFeatureStore, type RedisFeatureStoreOptions } from './redis-feature-store';
import { FEATURE_STORE_SCRIPTS, type FeatureStoreCommands } from './redis-scripts';

export interface FeatureStoreBackend {
  kind: 'memory' | 'redis';
  store: FeatureStore;
  /** How personal identifiers are turned into state keys for this backend. */
  pseudonymize: Pseudonymizer;
  /** How it keeps locations. */
  locations: LocationCipher;
}

/**
 * Picks the backend from the configuration: Redis (single node or cluster) when REDIS_URL is set, else memory.
 * With Redis, `connection` (registered with {@link FEATURE_STORE_SCRIPTS}; closed when the store closes) is used
 * instead of a connection of its own.
 */
export async function createFeatureStore(
  config: Pick<Config, 'redisUrls' | 'redisKeyPrefix' | 'piiKey'>,
  log: Logger,
  options: Omit<RedisFeatureStoreOptions, 'keyPrefix'> = {},
  connection?: RedisConnection,
): Promise<FeatureStoreBackend> {
  if (!config.redisUrls) return { kind: 'memory', store: new MemoryFeatureStore(), pseudonymize: identityPseudonymizer, locations: clearLocations };
  if (!config.piiKey) throw new Error('VIGIL_PII_KEY is required with REDIS_URL'); // loadConfig already refuses this
  const redis =
    connection ??
    (await connectRedis(config.redisUrls, { scripts: FEATURE_STORE_SCRIPTS }, (err) => log.warn({ err: err.message }, 'feature store connection error')));
  return {
    kind: 'redis',
    store: new RedisFeatureStore(redis as unknown as FeatureStoreCommands, {
      onCompactionError: (err) => log.warn({ err: err.message }, 'feature state compaction failed; the tail stays until the next one'),
      ...options,
      keyPrefix: config.redisKeyPrefix,
      cluster: config.redisUrls.length > 1,
    }),
    pseudonymize: hmacPseudonymizer(config.piiKey),
    locations: sealedLocations(config.piiKey),
  };
}
