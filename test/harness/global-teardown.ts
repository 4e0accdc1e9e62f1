/** Jest global teardown: stops the run's shared server started by global-setup.ts. */
export default async function globalTeardown(): Promise<void> {
  await globalThis.vigilTestRedisServer?.stop();
  globalThis.vigilTestRedisServer = undefined;
}
