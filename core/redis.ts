import { createClient, createCluster, type RedisClientType, type RedisClusterType } from 'redis';
import type { RedisScripts } from 'redis';

/** A node-redis single-node client or cluster client; both take the same commands and scripts. */
export type RedisConnection = RedisClientType | RedisClusterType;

export interface RedisConnectionOptions {
  /** Lua scripts to register (node-redis sends EVALSHA and falls back to EVAL after a restart). */
  scripts?: RedisScripts;
  /**
   * How long one connection attempt may take, ms. Reconnection goes on in the background with a capped backoff,
   * and commands sent meanwhile fail at once instead of queueing (the callers have their own fail modes).
   * @defaultValue 1000
   */
  connectTimeoutMs?: number;
}

/**
 * Connects to Redis: one URL is a single node (`redis://` or `rediss://` for TLS), several URLs are the seed nodes
 * of a cluster. Errors of a broken connection are reported through `onError` rather than crashing the process.
 */
export async function connectRedis(
  urls: readonly string[],
  options: RedisConnectionOptions = {},
  onError: (err: Error) => void = () => {},
): Promise<RedisConnection> {
  const socket = {
    connectTimeout: options.connectTimeoutMs ?? 1000,
    reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 2000),
  };
  const connection =
    urls.length === 1
      ? createClient({ url: urls[0], socket, scripts: options.scripts, disableOfflineQueue: true })
      : createCluster({
          rootNodes: urls.map((url) => ({ url })),
          defaults: { socket, disableOfflineQueue: true },
          scripts: options.scripts,
        });
  connection.on('error', onError);
  await connection.connect();
  return connection as unknown as RedisConnection;
}
