import { existsSync } from 'node:fs';
import { stopLiveServers } from './live-servers';
import { processRunning, startRedisServer } from './redis-server';

// What the test environment does after each file: stop the servers the file started and did not stop.
it('stops the servers still running, and only those', async () => {
  const stopped = await startRedisServer();
  const forgotten = await startRedisServer();
  await stopped.stop();

  expect(await stopLiveServers()).toBe(1);

  expect(processRunning(forgotten.pid)).toBe(false);
  expect(existsSync(forgotten.dir)).toBe(false);
  expect(await stopLiveServers()).toBe(0);
});
