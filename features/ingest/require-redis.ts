import type { Config } from '../../core/config';
import { ConfigError } from '../../core/errors';

/**
 * The Redis URLs of the configuration, for commands that only make sense with Redis: ingestion into the embedded
 * memory store would be lost when the command exits, and the queue lives in Redis.
 */
export function requireRedis(config: Pick<Config, 'redisUrls'>, command: string): string[] {
  if (!config.redisUrls) {
    throw new ConfigError([
      { path: ['REDIS_URL'], message: `required by \`vigil ${command}\`: without it the embedded memory store would be used, and lost on exit` },
    ]);
  }
  return config.redisUrls;
}
