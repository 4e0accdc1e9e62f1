import type { Config } from '../../core/config';
import type { Logger } from '../../core/logger';
import { connectRedis } from '../../core/redis';
import { FileDenyListStore } from '../store/file-deny-list-store';
import { DENY_LIST_SCRIPTS, RedisDenyListStore, type DenyListCommands } from '../store/redis-deny-list-store';
import type { DenyListStore } from './deny-list-store';

export interface DenyListStoreBackend {
  kind: 'file' | 'redis';
  store: DenyListStore;
  /** Where the lists are, for messages: the directory, or the Redis key prefix. */
  location: string;
}

/** Picks the backend as the feature store does: Redis when REDIS_URL is set, else files in VIGIL_LIST_DIR. */
export async function createDenyListStore(config: Pick<Config, 'redisUrls' | 'redisKeyPrefix' | 'listDir'>, log: Logger): Promise<DenyListStoreBackend> {
  if (!config.redisUrls) return { kind: 'file', store: new FileDenyListStore(config.listDir), location: config.listDir };
  const redis = await connectRedis(config.redisUrls, { scripts: DENY_LIST_SCRIPTS }, (err) => log.warn({ err: err.message }, 'deny list store connection error'));
  return {
    kind: 'redis',
    store: new RedisDenyListStore(redis as unknown as DenyListCommands, { keyPrefix: config.redisKeyPrefix }),
    location: `${config.redisKeyPrefix}{lists}`,
  };
}
