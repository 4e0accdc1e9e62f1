import { randomUUID } from 'node:crypto';
import { defineScript, type CommandParser } from 'redis';
import { guardRedis } from '../../core/redis';
import type { DenyListContent } from '../deny-lists';
import { byNameThenChain, consistentSnapshot, type DenyListInfo, type DenyListRegistry, type DenyListSnapshot, type DenyListStore } from '../deny-lists/deny-list-store';

/** Members per SADD while a list is written to its temporary key. */
const SADD_CHUNK = 5_000;
/** A temporary key outlives a loader that died half-way by this long, ms. */
const TEMP_TTL_MS = 15 * 60_000;

/**
 * Publishes a fully written temporary set as a list, atomically: checks it is complete, RENAMEs it over the list
 * (dropping the TTL it had as a temporary key), bumps the global version and records the list in the registry. An
 * empty list has no set (Redis drops empty sets), so it deletes the list's key instead. The checks come before any
 * write because a failing script keeps the writes it made.
 *
 * KEYS: temporary set, list set, registry hash, version counter. ARGV: registry field, chain, count, loadedAt.
 */
export const REPLACE_DENY_LIST = defineScript({
  NUMBER_OF_KEYS: 4,
  SCRIPT: `
local count = tonumber(ARGV[3])
if count > 0 and redis.call('SCARD', KEYS[1]) ~= count then
  return redis.error_reply('deny list load incomplete: the temporary set holds ' .. redis.call('SCARD', KEYS[1]) .. ' of ' .. count .. ' addresses (expired?)')
end
local version = redis.call('INCR', KEYS[4])
if count > 0 then
  redis.call('RENAME', KEYS[1], KEYS[2])
  redis.call('PERSIST', KEYS[2])
else
  redis.call('DEL', KEYS[2])
end
redis.call('HSET', KEYS[3], ARGV[1], cjson.encode({chain = ARGV[2], count = count, loadedAt = ARGV[4], version = version}))
return version`,
  parseCommand(parser: CommandParser, temp: string, list: string, registry: string, version: string, field: string, chain: string, count: number, loadedAt: string) {
    parser.pushKey(temp);
    parser.pushKey(list);
    parser.pushKey(registry);
    parser.pushKey(version);
    parser.push(field, chain, String(count), loadedAt);
  },
  transformReply: (reply: unknown) => reply as number,
});

export const DENY_LIST_SCRIPTS = { vigilReplaceDenyList: REPLACE_DENY_LIST };

/** The commands the store sends (a node-redis client or cluster with {@link DENY_LIST_SCRIPTS}). */
export interface DenyListCommands {
  vigilReplaceDenyList(temp: string, list: string, registry: string, version: string, field: string, chain: string, count: number, loadedAt: string): Promise<number>;
  sAdd(key: string, members: string[]): Promise<number>;
  pExpire(key: string, ms: number): Promise<number>;
  sMembers(key: string): Promise<string[]>;
  hGetAll(key: string): Promise<Record<string, string>>;
  get(key: string): Promise<string | null>;
  unlink(key: string): Promise<number>;
  close(): Promise<void>;
}

export interface RedisDenyListStoreOptions {
  /** Prefix of every key. @defaultValue `vigil:` */
  keyPrefix?: string;
}

/**
 * Deny lists in Redis. Keys (all under the `{lists}` hash tag, so one cluster slot and one atomic script per load):
 * - `<prefix>{lists}:<name>:<chain>` SET of normalised addresses;
 * - `<prefix>{lists}:registry` HASH, field `<name>:<chain>` → JSON `{chain, count, loadedAt, version}`;
 * - `<prefix>{lists}:version` counter, increased by every load;
 * - `<prefix>{lists}:tmp:<uuid>:set` a load in progress (expires after 15 minutes if its loader dies).
 * List and chain names hold no `:`, so a list key never equals one of the others.
 */
export class RedisDenyListStore implements DenyListStore {
  private readonly base: string;

  constructor(
    private readonly redis: DenyListCommands,
    options: RedisDenyListStoreOptions = {},
  ) {
    this.base = `${options.keyPrefix ?? 'vigil:'}{lists}:`;
  }

  private listKey(name: string, chain: string): string {
    return `${this.base}${name}:${chain}`;
  }

  async replace(list: DenyListContent, loadedAt: Date = new Date()): Promise<DenyListInfo> {
    const temp = `${this.base}tmp:${randomUUID()}:set`;
    const at = loadedAt.toISOString();
    try {
      const writes: Promise<unknown>[] = [];
      for (let start = 0; start < list.addresses.length; start += SADD_CHUNK) {
        writes.push(this.redis.sAdd(temp, list.addresses.slice(start, start + SADD_CHUNK)));
        writes.push(this.redis.pExpire(temp, TEMP_TTL_MS));
      }
      await guard(Promise.all(writes));
      const version = await guard(
        this.redis.vigilReplaceDenyList(temp, this.listKey(list.name, list.chain), `${this.base}registry`, `${this.base}version`, `${list.name}:${list.chain}`, list.chain, list.addresses.length, at),
      );
      return { name: list.name, chain: list.chain, count: list.addresses.length, loadedAt: at, version };
    } catch (err) {
      await this.redis.unlink(temp).catch(() => 0); // best effort: the TTL removes it anyway
      throw err;
    }
  }

  async version(): Promise<number> {
    return Number((await guard(this.redis.get(`${this.base}version`))) ?? 0);
  }

  async registry(): Promise<DenyListRegistry> {
    // Version first: a load between the two reads then shows as a registry newer than its version, which the
    // snapshot's final version check catches, never the reverse.
    const version = await this.version();
    const fields = await guard(this.redis.hGetAll(`${this.base}registry`));
    const lists = Object.entries(fields).map(([field, json]) => {
      const [name = '', chain = ''] = field.split(':');
      const info = JSON.parse(json) as Omit<DenyListInfo, 'name'>;
      return { name, chain, count: info.count, loadedAt: info.loadedAt, version: info.version };
    });
    return { version, lists: lists.sort(byNameThenChain) };
  }

  snapshot(): Promise<DenyListSnapshot> {
    return consistentSnapshot(
      () => this.registry(),
      (info) => (info.count === 0 ? Promise.resolve([]) : guard(this.redis.sMembers(this.listKey(info.name, info.chain)))),
      () => this.version(),
    );
  }

  async close(): Promise<void> {
    await this.redis.close();
  }
}

/** Connection failures become UnavailableError; a load script that refused on purpose passes through. */
const guard = <T>(p: Promise<T>): Promise<T> => guardRedis(p, 'deny_lists_unavailable', 'pass');
