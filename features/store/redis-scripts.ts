import { createHash } from 'node:crypto';
import { defineScript, type CommandParser } from 'redis';

/**
 * Lua scripts of the Redis feature store. Each touches the two keys of one entity (same hash tag, so one cluster
 * slot) and runs atomically: that is what makes "read the state, then append the event" one step per entity.
 *
 * Appends and reference writes go out as EVAL of the script body, every time: a store sends many of them behind one
 * another and an entity's records must run in the order sent. A registered script goes out as EVALSHA and, on a
 * server without it cached (fresh, restarted, failed over, SCRIPT FLUSH), node-redis resends it as EVAL once the
 * NOSCRIPT reply is back; an EVALSHA sent later can meanwhile find the script (loaded by that EVAL, or by another
 * client) and run before the resent call. A body of a few hundred bytes costs little next to a call's round trip and
 * records, and the server finds it in its script cache by SHA-1 as for EVALSHA. Reads and compactions (one call per
 * entity at a time, a compaction being a compare-and-set) are registered with node-redis as usual.
 */

/** Keys and arguments of one EVAL, as node-redis's `eval` takes them. */
export interface EvalCall {
  keys: string[];
  arguments: string[];
}

/** Appends a record to an entity's tail, refreshes both TTLs and, when asked, returns the state before it. */
export const APPEND = `
local snap, tail
if ARGV[3] == '1' then
  snap = redis.call('GET', KEYS[1]) or ''
  tail = redis.call('LRANGE', KEYS[2], 0, -1)
end
local n = redis.call('RPUSH', KEYS[2], ARGV[1])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
if ARGV[3] == '1' then return {n, snap, tail} end
return {n}`;

/** The call of {@link APPEND}. Its reply: `[tail length]`, or `[tail length, snapshot, tail before]` with `read`. */
export const appendCall = (snapKey: string, tailKey: string, record: string, ttlMs: number, read: boolean): EvalCall => ({
  keys: [snapKey, tailKey],
  arguments: [record, String(ttlMs), read ? '1' : '0'],
});

/**
 * Appends records to each of many entities in one call (bulk ingestion, where nothing is read back): keys come in
 * (snapshot, tail) pairs, one pair per entity, and arguments per entity as its TTL, its number of records, then the
 * records, all pushed by one RPUSH. Returns each tail's new length. At most a few hundred records per entity (a Lua
 * call takes at most some thousands of arguments). On a cluster every key of one call must share a slot.
 */
export const APPEND_MANY = `
local lengths = {}
local a = 1
for i = 1, #KEYS, 2 do
  local ttl, n = ARGV[a], tonumber(ARGV[a + 1])
  lengths[#lengths + 1] = redis.call('RPUSH', KEYS[i + 1], unpack(ARGV, a + 2, a + 1 + n))
  redis.call('PEXPIRE', KEYS[i + 1], ttl)
  redis.call('PEXPIRE', KEYS[i], ttl)
  a = a + 2 + n
end
return lengths`;

/** Reads an entity's snapshot and tail together. */
export const READ = defineScript({
  NUMBER_OF_KEYS: 2,
  IS_READ_ONLY: true,
  SCRIPT: `return {redis.call('GET', KEYS[1]) or '', redis.call('LRANGE', KEYS[2], 0, -1)}`,
  parseCommand(parser: CommandParser, snapKey: string, tailKey: string) {
    parser.pushKey(snapKey);
    parser.pushKey(tailKey);
  },
  transformReply: (reply: unknown) => reply as [string, string[]],
});

/**
 * Replaces the snapshot by one that folds in the first `folded` tail records, and drops those records, but only if
 * the snapshot is still the one the fold started from and those records are still the ones folded (their SHA-1,
 * joined by newlines, which JSON records never hold). Otherwise another compaction won and this one is void. The
 * snapshot alone would not do: a compaction whose fold changed nothing leaves the same snapshot, and a second one
 * that read the entity before it would then drop records appended since.
 */
export const COMPACT = defineScript({
  NUMBER_OF_KEYS: 2,
  SCRIPT: `
if (redis.call('GET', KEYS[1]) or '') ~= ARGV[1] then return 0 end
local folded = tonumber(ARGV[3])
if folded > 0 and redis.sha1hex(table.concat(redis.call('LRANGE', KEYS[2], 0, folded - 1), '\\n')) ~= ARGV[5] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[4])
redis.call('LTRIM', KEYS[2], folded, -1)
return 1`,
  parseCommand(parser: CommandParser, snapKey: string, tailKey: string, expected: string, snapshot: string, folded: readonly string[], ttlMs: number) {
    parser.pushKey(snapKey);
    parser.pushKey(tailKey);
    parser.push(expected, snapshot, String(folded.length), String(ttlMs), createHash('sha1').update(folded.join('\n')).digest('hex'));
  },
  transformReply: (reply: unknown) => reply as number,
});

/**
 * Writes many event references (label targets) in one call: KEYS are the reference keys, ARGV the TTL and then one
 * value per key. Returns the positions (from 1) of the keys that already held a reference, written before or earlier
 * in the call: events met before. On a cluster every key of one call must share a slot.
 */
export const SET_MANY = `
local known = {}
for i = 1, #KEYS do
  if redis.call('SET', KEYS[i], ARGV[i + 1], 'PX', ARGV[1], 'GET') then known[#known + 1] = i end
end
return known`;

/** The call of {@link SET_MANY}. */
export const setManyCall = (keys: string[], ttlMs: number, values: string[]): EvalCall => ({ keys, arguments: [String(ttlMs), ...values] });

/** The scripts to register with node-redis (sent as EVALSHA). */
export const FEATURE_STORE_SCRIPTS = { vigilRead: READ, vigilCompact: COMPACT };

/** The commands the store sends: the registered scripts, EVAL of the others, and MGET for event references. */
export interface FeatureStoreCommands {
  /** A node-redis client's or cluster's EVAL (on a cluster, sent to the node of the first key). */
  eval(script: string, call: EvalCall): Promise<unknown>;
  vigilRead(snapKey: string, tailKey: string): Promise<[string, string[]]>;
  /** `folded`: the tail records the new snapshot folds in, as read. */
  vigilCompact(snapKey: string, tailKey: string, expected: string, snapshot: string, folded: readonly string[], ttlMs: number): Promise<number>;
  mGet(keys: string[]): Promise<(string | null)[]>;
  close(): Promise<void>;
}
