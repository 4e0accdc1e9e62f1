import { loadConfig } from '../../core/config';
import { ConfigError } from '../../core/errors';

/** The message of the ConfigError that `env` gives. */
function configErrorOf(env: NodeJS.ProcessEnv): string {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).message;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('never echoes the PII key, and reports a short one once, not also as missing', () => {
    const tooShort = '3f9a1c77'.repeat(7) + 'd4e5f1';
    const message = configErrorOf({ REDIS_URL: 'redis://127.0.0.1:7000', VIGIL_PII_KEY: tooShort });
    expect(message).toContain('VIGIL_PII_KEY: expected at least 32 bytes');
    expect(message).toContain('value not shown');
    expect(message).not.toContain(tooShort);
    expect(message).not.toContain('3f9a1c77');
    expect(message).not.toMatch(/required when REDIS_URL/);
  });

  it('never echoes a Redis URL, which may hold a password', () => {
    const message = configErrorOf({ REDIS_URL: 'http://:hunter2@redis.internal:6379' });
    expect(message).toMatch(/REDIS_URL: expected redis:\/\/host:port/);
    expect(message).not.toContain('hunter2');
  });

  it('still shows the value of a variable that is not secret, and asks for the key when it is unset', () => {
    expect(configErrorOf({ VIGIL_PORT: 'eighty' })).toContain('got "eighty"');
    expect(configErrorOf({ REDIS_URL: 'redis://127.0.0.1:7000' })).toMatch(/VIGIL_PII_KEY: required when REDIS_URL is set/);
  });
});
