import { randomUUID } from 'node:crypto';
import { createClient, createCluster, type RedisClientType, type RedisClusterType } from 'redis';

/** A node-redis client connected by {@link connectTestRedis}. */
export type TestRedisClient = RedisClientType;
/** A node-redis cluster client connected by {@link connectTestCluster}. */
export type TestRedisCluster = RedisClusterType;

/** The variable through which the Jest global setup hands its server's URL to the test workers. */
export const TEST_REDIS_URL_VARIABLE = 'VIGIL_TEST_REDIS_URL';

/**
 * URL of the single-node redis-server that the Jest global setup started for this run. Shared by every test file:
 * give each test its own {@link uniqueKeyPrefix}, and never stop, kill or flush this server (start your own with
 * `startRedisServer()` for that).
 */
export function testRedisUrl(): string {
  const url = process.env[TEST_REDIS_URL_VARIABLE];
  if (!url) {
    throw new Error(
      `${TEST_REDIS_URL_VARIABLE} is not set: the Jest global setup (test/harness/global-setup.ts, wired in ` +
        'jest.config.js) did not run. Run tests with `npx jest …` from the repository root.',
    );
  }
  return url;
}

/** A key prefix no other test uses: `test-<uuid>:`. */
export function uniqueKeyPrefix(): string {
  return `test-${randomUUID()}:`;
}

export interface ConnectTestRedisOptions {
  /**
   * Reject commands at once while the connection is down instead of queueing them until it is back.
   * @defaultValue false
   */
  disableOfflineQueue?: boolean;
}

/**
 * Connects a node-redis client to `url`. The first connection fails at once if nothing answers (rather than retrying
 * until the test times out); once connected, the client reconnects by itself, so it survives a server's restart().
 * Close it with `client.destroy()` or `client.close()`.
 */
export async function connectTestRedis(url: string, options: ConnectTestRedisOptions = {}): Promise<TestRedisClient> {
  let connected = false;
  const client = createClient({
    url,
    disableOfflineQueue: options.disableOfflineQueue ?? false,
    // `false` rather than the cause: node-redis checks `instanceof Error` against the Jest test realm's Error, the
    // socket error comes from Node's realm, so returning it would be taken for a bad answer and retried forever.
    socket: { connectTimeout: 2_000, reconnectStrategy: (retries) => (connected ? Math.min(20 * 2 ** retries, 500) : false) },
  });
  // Connection errors reach the tests as rejected commands; without a listener, node-redis would instead throw them
  // from the event emitter and crash the Jest worker when a test stops or kills its server.
  client.on('error', () => {});
  await client.connect();
  connected = true;
  return client;
}

/** Connects a node-redis cluster client to the nodes of a test cluster (`startRedisCluster().rootNodes`). */
export async function connectTestCluster(rootNodes: { url: string }[]): Promise<TestRedisCluster> {
  const cluster = createCluster({ rootNodes, defaults: { socket: { connectTimeout: 2_000 } } });
  cluster.on('error', () => {}); // as in connectTestRedis: errors reach the tests through rejected commands
  await cluster.connect();
  return cluster;
}

/**
 * Deletes every key starting with `prefix` (SCAN + UNLINK; on a cluster, on every master) and returns how many were
 * deleted. Use it in `afterEach` with the test's {@link uniqueKeyPrefix}.
 */
export async function deleteKeysWithPrefix(redis: TestRedisClient | TestRedisCluster, prefix: string): Promise<number> {
  if (!prefix) throw new Error('deleteKeysWithPrefix: an empty prefix would delete every key');
  const nodes = 'masters' in redis ? await Promise.all(redis.masters.map((m) => redis.nodeClient(m))) : [redis];
  let deleted = 0;
  for (const node of nodes) {
    for await (const keys of node.scanIterator({ MATCH: `${escapeGlob(prefix)}*`, COUNT: 1000 })) {
      // One UNLINK per key: in a cluster, keys of one node can still sit in different slots (CROSSSLOT otherwise).
      const counts = await Promise.all(keys.map((key) => node.unlink(key)));
      deleted += counts.reduce((sum, n) => sum + n, 0);
    }
  }
  return deleted;
}

/** Escapes the characters that SCAN MATCH treats as a pattern, so the prefix matches literally. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
