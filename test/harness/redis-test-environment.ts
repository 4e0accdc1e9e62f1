import NodeEnvironment from 'jest-environment-node';
import { stopLiveServers } from './live-servers';

/**
 * Jest's node environment plus one duty: after a test file, stop the Redis servers it started and did not stop.
 * Environment teardown runs after every hook of the file; a setup-file `afterAll` would run before the file's own
 * `afterAll` hooks (Jest runs them in declaration order) and pull servers from under their cleanup.
 */
export default class RedisTestEnvironment extends NodeEnvironment {
  override async teardown(): Promise<void> {
    const leftover = await stopLiveServers(this.global);
    if (leftover > 0) process.stderr.write(`redis harness: stopped ${leftover} redis-server(s) the test file left running\n`);
    await super.teardown();
  }
}
