import { createClient, type RedisClientType } from 'redis';
import { ConfigError, UnavailableError } from '../../core/errors';
import type { Logger } from '../../core/logger';

/**
 * Prefix of the queues' BullMQ keys under Vigil's key prefix. The hash tag puts every key of every queue in one
 * cluster slot, which BullMQ's scripts need (they touch several keys of a queue at once).
 */
export function queuePrefix(keyPrefix: string): string {
  return `${keyPrefix}{vigil-q}`;
}

/** How {@link connectQueueRedis} connects. */
export interface QueueRedisOptions {
  /**
   * Keep trying while the server cannot be reached at startup (a worker waiting for Redis), instead of failing at
   * the first refusal (a one-shot command).
   * @defaultValue false
   */
  waitForServer?: boolean;
}

/**
 * Connects the Redis client BullMQ runs on: a node-redis client, which BullMQ wraps in its node-redis adapter
 * (ioredis, BullMQ's other driver, is not a dependency). That adapter has no cluster support yet, so the queues need
 * one Redis node: with several REDIS_URL nodes this throws a {@link ConfigError} naming the variable. Once connected,
 * the client keeps its offline queue and reconnects by itself: a worker waiting out a Redis restart should resume,
 * not fail every command meanwhile.
 *
 * @throws UnavailableError when the server cannot be reached and `waitForServer` is false.
 */
export async function connectQueueRedis(urls: readonly string[], log: Logger, options: QueueRedisOptions = {}): Promise<RedisClientType> {
  const [url, ...others] = urls;
  if (url === undefined || others.length > 0) {
    throw new ConfigError([
      {
        path: ['REDIS_URL'],
        message: `the event queue needs exactly one Redis node (BullMQ's node-redis adapter has no cluster support), got ${urls.length}`,
      },
    ]);
  }
  let connected = false;
  const client = createClient({
    url,
    socket: {
      // Returning the cause instead of a delay gives up, which makes connect() reject.
      reconnectStrategy: (retries: number, cause: Error) => (connected || options.waitForServer ? Math.min(50 * 2 ** retries, 2000) : cause),
    },
  });
  client.on('error', (err: Error) => log.warn({ err: err.message }, 'queue connection error'));
  try {
    // Connected here, once: the queues and the worker share this client (the worker adds a blocking duplicate).
    await client.connect();
  } catch (err) {
    // The host only: the URL may carry a password.
    throw new UnavailableError('queue_unavailable', `cannot reach Redis at ${new URL(url).host}: ${err instanceof Error ? err.message : String(err)}`);
  }
  connected = true;
  return client as RedisClientType;
}
