import { TEST_REDIS_URL_VARIABLE } from './redis';
import { removeStaleServerDirs, startRedisServer, type RedisServer } from './redis-server';

declare global {
  /** The run's shared server, handed from global-setup.ts to global-teardown.ts (Jest runs both in one context). */
  var vigilTestRedisServer: RedisServer | undefined;
}

/**
 * Jest global setup: one single-node redis-server for the whole run (about 50 ms, so every run gets one, Redis tests
 * or not). Workers start after this and inherit the environment, which is how they learn the URL.
 */
export default async function globalSetup(): Promise<void> {
  removeStaleServerDirs();
  const server = await startRedisServer();
  globalThis.vigilTestRedisServer = server;
  process.env[TEST_REDIS_URL_VARIABLE] = server.url;
}
