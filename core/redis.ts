import { createClient, createCluster, ErrorReply, type RedisClientType, type RedisClusterType } from 'redis';
import { UnavailableError, VigilError } from './errors';
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
  let connected = false;
  const socket = {
    connectTimeout: options.connectTimeoutMs ?? 1000,
    // At start-up a Redis that does not answer is a configuration error: fail after a few tries instead of
    // waiting forever. Once connected, reconnect for as long as it takes.
    reconnectStrategy: (retries: number) =>
      !connected && retries >= 3 ? new Error(`cannot reach Redis at ${urls.join(', ')}`) : Math.min(50 * 2 ** retries, 2000),
  };
  // No per-command timeout: callers bound what matters to them (core/deadline.ts), and node-redis's default one
  // costs an AbortSignal per command, about half the client's CPU in bulk ingestion.
  const commandOptions = { timeout: 0 };
  const connection =
    urls.length === 1
      ? createClient({ url: urls[0], socket, scripts: options.scripts, disableOfflineQueue: true, commandOptions })
      : createCluster({
          rootNodes: urls.map((url) => ({ url })),
          defaults: { socket, disableOfflineQueue: true },
          commandOptions,
          scripts: options.scripts,
        });
  connection.on('error', onError);
  await connection.connect();
  connected = true;
  return connection as unknown as RedisConnection;
}

/**
 * Turns a failed Redis call (connection lost, server gone, cluster reconfiguring) into {@link UnavailableError} with
 * `reason`, the one error every store raises for "cannot reach", which callers map to a fail mode or 503. Vigil's own
 * errors pass through, and so do error replies when `replyErrors` is 'pass' (a script that refused on purpose).
 */
export async function guardRedis<T>(p: Promise<T>, reason: string, replyErrors: 'unavailable' | 'pass' = 'unavailable'): Promise<T> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof VigilError || (replyErrors === 'pass' && err instanceof ErrorReply)) throw err;
    const message = err instanceof Error ? err.message : String(err);
    throw new UnavailableError(reason, `${reason.replace(/_/g, ' ')}: ${message}`);
  }
}

/**
 * Resolves once the commands issued so far have been written to the socket: node-redis writes its queue in a
 * setImmediate callback, and one queued from within another runs on the next loop turn. A long producer awaits it
 * now and then so that Redis works on what came first while the rest is encoded (the order of commands does not
 * depend on it).
 */
export const commandsWritten = (): Promise<void> => new Promise((resolve) => setImmediate(() => setImmediate(resolve)));

/**
 * `count` handles on one connection, for stores that each close what they were given: the connection closes with
 * the last handle. Serving shares one connection among its stores, so that the commands one request sends to
 * several of them leave in one write. A handle is the connection with its own `close` (node-redis reaches its
 * state through `_self`, so an `Object.create` view of a client is a full client; its own proxies are made so).
 */
export function shareConnection(connection: RedisConnection, count: number): RedisConnection[] {
  let open = count;
  return Array.from({ length: count }, () => {
    let closed = false;
    const close = async () => {
      if (closed) return;
      closed = true;
      if (--open === 0) await connection.close();
    };
    return Object.assign(Object.create(connection) as RedisConnection, { close });
  });
}
