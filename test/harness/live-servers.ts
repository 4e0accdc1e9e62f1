/**
 * Servers started by the current test file and not stopped yet, kept on the test file's global object so that the
 * test environment (redis-test-environment.ts) can stop them after the file, even when a test failed before its own
 * `afterAll` or forgot to call stop(): no redis-server process or temporary directory outlives its test file.
 */
export interface LiveServer {
  stop(): Promise<void>;
}

/** Global key shared with redis-test-environment.ts, which reads it from outside the test's module registry. */
export const LIVE_SERVERS_KEY = Symbol.for('vigil.test.liveRedisServers');

function liveServers(global: object = globalThis): Set<LiveServer> {
  const holder = global as { [LIVE_SERVERS_KEY]?: Set<LiveServer> };
  return (holder[LIVE_SERVERS_KEY] ??= new Set());
}

export function trackLiveServer(server: LiveServer): void {
  liveServers().add(server);
}

export function untrackLiveServer(server: LiveServer): void {
  liveServers().delete(server);
}

/** Stops every server still running in `global` (a test file's global object); returns how many there were. */
export async function stopLiveServers(global: object = globalThis): Promise<number> {
  const servers = [...liveServers(global)];
  await Promise.all(servers.map((s) => s.stop()));
  return servers.length;
}
