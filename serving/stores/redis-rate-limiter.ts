import { defineScript, type CommandParser } from 'redis';
import type { RateLimiter } from '../auth/authenticator';
import { emissionIntervalUs, type GcraLimit } from '../auth/gcra';
import { guardRedis } from './redis-errors';

/**
 * GCRA (serving/auth/gcra.ts, same arithmetic) on one key per API key, atomically. The clock is the server's TIME,
 * so every Vigil instance charges the same budget against the same clock. The TAT is stored as whole microseconds
 * (`%.0f`: Lua's tostring keeps only 14 digits) and expires when the bucket would be full again.
 *
 * KEYS: the key's TAT. ARGV: emission interval µs, burst. Returns {allowed 0|1, retry after ms}.
 */
export const GCRA_TAKE = defineScript({
  NUMBER_OF_KEYS: 1,
  SCRIPT: `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local tolerance = (tonumber(ARGV[2]) - 1) * interval
local tat = tonumber(redis.call('GET', KEYS[1]) or '') or now
if tat < now then tat = now end
local allow_at = tat - tolerance
if now < allow_at then return {0, math.ceil((allow_at - now) / 1000)} end
tat = tat + interval
redis.call('SET', KEYS[1], string.format('%.0f', tat), 'PX', math.ceil((tat - now) / 1000) + 1)
return {1, 0}`,
  parseCommand(parser: CommandParser, key: string, intervalUs: number, burst: number) {
    parser.pushKey(key);
    parser.push(String(intervalUs), String(burst));
  },
  transformReply: (reply: unknown) => reply as [number, number],
});

export const RATE_LIMIT_SCRIPTS = { vigilGcraTake: GCRA_TAKE };

/** The commands the limiter sends (a node-redis client or cluster with {@link RATE_LIMIT_SCRIPTS}). */
export interface RateLimitCommands {
  vigilGcraTake(key: string, intervalUs: number, burst: number): Promise<[number, number]>;
}

export interface RedisRateLimiterOptions {
  /** Prefix of every key. @defaultValue `vigil:` */
  keyPrefix?: string;
}

/**
 * Per-key budgets shared by every instance: key `<prefix>rl:<keyId>` (a string, the TAT in µs, expiring once the
 * bucket is full again). One key per script call, so it works on a cluster.
 */
export class RedisRateLimiter implements RateLimiter {
  private readonly prefix: string;

  constructor(
    private readonly redis: RateLimitCommands,
    private readonly limit: GcraLimit,
    options: RedisRateLimiterOptions = {},
  ) {
    this.prefix = `${options.keyPrefix ?? 'vigil:'}rl:`;
  }

  async take(keyId: string): Promise<{ allowed: boolean; retryAfterMs: number }> {
    const [allowed, retryAfterMs] = await guardRedis(this.redis.vigilGcraTake(`${this.prefix}${keyId}`, emissionIntervalUs(this.limit), this.limit.burst));
    return { allowed: allowed === 1, retryAfterMs };
  }
}
