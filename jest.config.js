/** @type {import('jest').Config} */
module.exports = {
  // Node's environment, plus stopping any redis-server a test file left running (test/harness/README.md).
  testEnvironment: '<rootDir>/test/harness/redis-test-environment.ts',
  // One redis-server for the whole run; its URL reaches the tests as VIGIL_TEST_REDIS_URL.
  globalSetup: '<rootDir>/test/harness/global-setup.ts',
  globalTeardown: '<rootDir>/test/harness/global-teardown.ts',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest'] },
  // Two cores: more workers than that only adds contention.
  maxWorkers: 2,
  testTimeout: 60000,
};
