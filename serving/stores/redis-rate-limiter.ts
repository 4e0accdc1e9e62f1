import { defineScript, type CommandParser } from 'redis';
import { withDeadline } from '../../core/deadline';
import type { RateLimiter } from '../auth/authenticator';
import { emissionIntervalUs, type GcraLimit } from '../auth/gcra';
import { guardRedis } from './redis-errors';

/**
 * GCRA (serving/auth/gcra.ts, same arithmetic) on one key per API key, atomically, taking up to `want` requests at
 * once: as many as fit before the TAT would run past the burst tolerance. The clock is the server's TIME, so every
 * Vigil instance charges the same budget against the same clock. The TAT is stored as whole microseconds (`%.0f`:
 * Lua's tostring keeps only 14 digits) and expires when the bucket would be full again.
 *
 * KEYS: the key's TAT. ARGV: emission interval µs, burst, want. Returns {requests granted (0 = refused), retry after ms}.
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
local granted = math.min(tonumber(ARGV[3]), math.floor((now - allow_at) / interval) + 1)
tat = tat + granted * interval
redis.call('SET', KEYS[1], string.format('%.0f', tat), 'PX', math.ceil((tat - now) / 1000) + 1)
return {granted, 0}`,
  parseCommand(parser: CommandParser, key: string, intervalUs: number, burst: number, want: number) {
    parser.pushKey(key);
    parser.push(String(intervalUs), String(burst), String(want));
  },
  transformReply: (reply: unknown) => reply as [number, number],
});

export const RATE_LIMIT_SCRIPTS = { vigilGcraTake: GCRA_TAKE };

/** The commands the limiter sends (a node-redis client or cluster with {@link RATE_LIMIT_SCRIPTS}). */
export interface RateLimitCommands {
  vigilGcraTake(key: string, intervalUs: number, burst: number, want: number): Promise<[number, number]>;
}

/** How long requests taken ahead stay spendable, ms. */
export const LEASE_MS = 50;

export interface RedisRateLimiterOptions {
  /** Prefix of every key. @defaultValue `vigil:` */
  keyPrefix?: string;
  /** Current time, ms. @defaultValue performance.now */
  now?: () => number;
  /** How long a round trip may take before the limiter counts as unreachable (UnavailableError), ms. @defaultValue 250 */
  deadlineMs?: number;
}

type Take = { allowed: boolean; retryAfterMs: number };
const ALLOWED: Take = { allowed: true, retryAfterMs: 0 };

/** Requests taken from a key's shared budget that this instance may still spend. */
interface Lease {
  left: number;
  expiresAt: number;
}

/**
 * Per-key budgets shared by every instance: key `<prefix>rl:<keyId>` (a string, the TAT in µs, expiring once the
 * bucket is full again). One key per script call, so it works on a cluster.
 *
 * A busy key would cost a Redis round trip per request, before any work. So each round trip takes a lease: as many
 * requests as the limit allows in {@link LEASE_MS} (at least one, at most the burst), spent locally until used up or
 * expired; concurrent requests of a key wait for one lease rather than each asking. Leases come out of the shared
 * budget, so instances together never exceed the limit; what a lease leaves unspent is lost, so a key may be refused
 * up to that many requests early. Small limits (under 40/s) lease one request at a time: exact, as without leases.
 */
export class RedisRateLimiter implements RateLimiter {
  private readonly prefix: string;
  private readonly now: () => number;
  private readonly intervalUs: number;
  private readonly leaseSize: number;
  private readonly deadlineMs: number;
  private readonly leases = new Map<string, Lease>();
  private readonly asking = new Map<string, Promise<Take>>();

  constructor(
    private readonly redis: RateLimitCommands,
    private readonly limit: GcraLimit,
    options: RedisRateLimiterOptions = {},
  ) {
    this.prefix = `${options.keyPrefix ?? 'vigil:'}rl:`;
    this.now = options.now ?? (() => performance.now());
    this.deadlineMs = options.deadlineMs ?? 250;
    this.intervalUs = emissionIntervalUs(limit);
    this.leaseSize = Math.max(1, Math.min(limit.burst, Math.floor((limit.ratePerSecond * LEASE_MS) / 1000)));
  }

  async take(keyId: string): Promise<Take> {
    for (;;) {
      const lease = this.leases.get(keyId);
      if (lease && lease.left > 0 && lease.expiresAt > this.now()) {
        lease.left--;
        return ALLOWED;
      }
      let asking = this.asking.get(keyId);
      if (!asking) {
        asking = this.lease(keyId).finally(() => this.asking.delete(keyId));
        this.asking.set(keyId, asking);
      }
      const outcome = await asking;
      // Refused: every request waiting on the same answer is refused with it. Granted: spend from the new lease
      // (another waiter may have emptied it first: then ask again).
      if (!outcome.allowed) return outcome;
    }
  }

  private async lease(keyId: string): Promise<Take> {
    const call = guardRedis(this.redis.vigilGcraTake(`${this.prefix}${keyId}`, this.intervalUs, this.limit.burst, this.leaseSize));
    const [granted, retryAfterMs] = await withDeadline(call, this.deadlineMs, 'rate_limiter_unavailable');
    if (granted === 0) {
      this.leases.delete(keyId);
      return { allowed: false, retryAfterMs };
    }
    this.leases.set(keyId, { left: granted, expiresAt: this.now() + LEASE_MS });
    return ALLOWED;
  }
}
