import { defineScript, type CommandParser } from 'redis';
import { guardRedis } from '../stores/redis-errors';
import type { CaseInput } from '../stores/serving-stores';
import {
  compareNewestFirst,
  detailOf,
  everyIndexOf,
  indexesOf,
  indexName,
  sealCase,
  summaryOf,
  type CaseDetail,
  type CaseLabel,
  type CaseLabelling,
  type CaseListQuery,
  type CasePage,
  type CasePosition,
  type CaseSummary,
  type OpenedCase,
  type StoredCase,
} from './case-record';
import { LABELLED_RETENTION_MS, type CaseLabelUpdate, type CaseRepository, type CaseRepositoryOptions, type LabelOutcome } from './case-repository';

/** Labelled cases whose retention has passed that one sweep takes out of the indexes. */
const SWEEP_BATCH = 100;
const SWEPT_INDEXES = [...everyIndexOf('labelled'), ...everyIndexOf('all')];

/**
 * Opens a case once: the hash is created with status `open` and the id joins the open and all-status indexes,
 * scored by `openedAt` (ms). An existing hash (open or labelled) is left as it is.
 *
 * KEYS: case hash, then 8 indexes. ARGV: openedAt ms, id, opened-case JSON, sealed details. Returns 1 if opened.
 */
export const OPEN_CASE = defineScript({
  NUMBER_OF_KEYS: 9,
  SCRIPT: `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'case', ARGV[3], 'details', ARGV[4])
for i = 2, #KEYS do redis.call('ZADD', KEYS[i], ARGV[1], ARGV[2]) end
return 1`,
  parseCommand(parser: CommandParser, hash: string, indexes: string[], openedAtMs: number, id: string, openedJson: string, sealedDetails: string) {
    parser.pushKey(hash);
    for (const key of indexes) parser.pushKey(key);
    parser.push(String(openedAtMs), id, openedJson, sealedDetails);
  },
  transformReply: (reply: unknown) => reply as number,
});

/**
 * Records a label: the labelling fields replace the previous ones (and the note, removed when ARGV[7] is empty), the
 * id moves from the open to the labelled indexes (a no-op on a relabel), and the case expires `retention` after this
 * label: the hash by PEXPIREAT, its index entries through the expiry set that {@link SWEEP_CASES} reads.
 *
 * KEYS: case hash, expiry set, 4 open indexes, 4 labelled indexes.
 * ARGV: id, openedAt ms, expires at ms, label, labelledBy, labelledAt, sealed note or ''.
 * Returns nil without a case, else {previous label, labelledBy, labelledAt ('' when none), HGETALL after}.
 */
export const LABEL_CASE = defineScript({
  NUMBER_OF_KEYS: 10,
  SCRIPT: `
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local previous = redis.call('HMGET', KEYS[1], 'label', 'labelledBy', 'labelledAt')
redis.call('HSET', KEYS[1], 'label', ARGV[4], 'labelledBy', ARGV[5], 'labelledAt', ARGV[6])
if ARGV[7] == '' then redis.call('HDEL', KEYS[1], 'note') else redis.call('HSET', KEYS[1], 'note', ARGV[7]) end
for i = 3, 6 do redis.call('ZREM', KEYS[i], ARGV[1]) end
for i = 7, 10 do redis.call('ZADD', KEYS[i], ARGV[2], ARGV[1]) end
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
local after = redis.call('HGETALL', KEYS[1])
-- Read before: an expiry time already past deletes the hash at once.
redis.call('PEXPIREAT', KEYS[1], ARGV[3])
return {previous[1] or '', previous[2] or '', previous[3] or '', after}`,
  parseCommand(
    parser: CommandParser,
    hash: string,
    expiry: string,
    openIndexes: string[],
    labelledIndexes: string[],
    id: string,
    openedAtMs: number,
    expiresAtMs: number,
    labelling: CaseLabelling,
    sealedNote: string,
  ) {
    parser.pushKey(hash);
    parser.pushKey(expiry);
    for (const key of [...openIndexes, ...labelledIndexes]) parser.pushKey(key);
    parser.push(id, String(openedAtMs), String(expiresAtMs), labelling.label, labelling.labelledBy, labelling.labelledAt, sealedNote);
  },
  transformReply: (reply: unknown) => reply as [string, string, string, string[]] | null,
});

/**
 * Takes labelled cases whose retention has passed out of every index they can be in (their hashes expire by
 * themselves), at most ARGV[2] per call.
 *
 * KEYS: expiry set, then every labelled and all-status index. ARGV: now ms, batch. Returns how many were swept.
 */
export const SWEEP_CASES = defineScript({
  NUMBER_OF_KEYS: 1 + SWEPT_INDEXES.length,
  SCRIPT: `
local ids = redis.call('ZRANGE', KEYS[1], '-inf', ARGV[1], 'BYSCORE', 'LIMIT', 0, ARGV[2])
if #ids == 0 then return 0 end
for i = 1, #KEYS do redis.call('ZREM', KEYS[i], unpack(ids)) end
return #ids`,
  parseCommand(parser: CommandParser, expiry: string, indexes: string[], nowMs: number, batch: number) {
    parser.pushKey(expiry);
    for (const key of indexes) parser.pushKey(key);
    parser.push(String(nowMs), String(batch));
  },
  transformReply: (reply: unknown) => reply as number,
});

/**
 * One page of an index, newest first, in one consistent read: with a cursor, the ids tied with it on `openedAt`
 * (ascending; the caller keeps those after the cursor's id, comparing bytes as Redis does) and then up to ARGV[1]
 * ids strictly older, with their scores. Lua's own string comparison follows the server's locale, hence the caller.
 *
 * KEYS: index. ARGV: count, cursor's openedAt ms or ''. Returns {ties, {id, score, id, score, …}}.
 */
export const LIST_CASES = defineScript({
  NUMBER_OF_KEYS: 1,
  IS_READ_ONLY: true,
  SCRIPT: `
local ties = {}
local max = '+inf'
if ARGV[2] ~= '' then
  ties = redis.call('ZRANGE', KEYS[1], ARGV[2], ARGV[2], 'BYSCORE')
  max = '(' .. ARGV[2]
end
return {ties, redis.call('ZRANGE', KEYS[1], max, '-inf', 'BYSCORE', 'REV', 'LIMIT', 0, ARGV[1], 'WITHSCORES')}`,
  parseCommand(parser: CommandParser, index: string, count: number, cursorMs: number | undefined) {
    parser.pushKey(index);
    parser.push(String(count), cursorMs === undefined ? '' : String(cursorMs));
  },
  transformReply: (reply: unknown) => reply as [string[], string[]],
});

export const CASE_SCRIPTS = { vigilCaseOpen: OPEN_CASE, vigilCaseLabel: LABEL_CASE, vigilCaseSweep: SWEEP_CASES, vigilCaseList: LIST_CASES };

/** The commands the store sends (a node-redis client or cluster with {@link CASE_SCRIPTS}). */
export interface CaseCommands {
  vigilCaseOpen(hash: string, indexes: string[], openedAtMs: number, id: string, openedJson: string, sealedDetails: string): Promise<number>;
  vigilCaseLabel(
    hash: string,
    expiry: string,
    openIndexes: string[],
    labelledIndexes: string[],
    id: string,
    openedAtMs: number,
    expiresAtMs: number,
    labelling: CaseLabelling,
    sealedNote: string,
  ): Promise<[string, string, string, string[]] | null>;
  vigilCaseSweep(expiry: string, indexes: string[], nowMs: number, batch: number): Promise<number>;
  vigilCaseList(index: string, count: number, cursorMs: number | undefined): Promise<[string[], string[]]>;
  hGetAll(key: string): Promise<Record<string, string>>;
  hGet(key: string, field: string): Promise<string | null | undefined>;
  close(): Promise<void>;
}

export interface RedisCaseRepositoryOptions extends CaseRepositoryOptions {
  /** Prefix of every key. @defaultValue `vigil:` */
  keyPrefix?: string;
}

/**
 * Cases in Redis. Keys, all under the `{cases}` hash tag (one cluster slot, so opening and labelling are each one
 * atomic script; cases are a small share of scored events, so one slot carries them easily):
 * - `<prefix>{cases}:c:<id>` HASH: `case` (JSON of the opened case: type, user, times, score, decision, reasons,
 *   model), `details` (AES-256-GCM ciphertext of the event's personal details), and once labelled `label`,
 *   `labelledBy`, `labelledAt` and `note` (ciphertext). No TTL while open; expires 90 days after the latest label.
 * - `<prefix>{cases}:i:<status>:<type>:<decision>` ZSET of ids scored by `openedAt` ms, for status `open`,
 *   `labelled` or `all`, and type and decision each a value or `*` (any): one index per filter combination.
 * - `<prefix>{cases}:expiry` ZSET of labelled ids scored by the time they expire: every open and label call takes
 *   the expired ones out of the indexes.
 */
export class RedisCaseRepository implements CaseRepository {
  private readonly base: string;
  private readonly options: Required<Omit<RedisCaseRepositoryOptions, 'keyPrefix'>>;

  constructor(
    private readonly redis: CaseCommands,
    options: RedisCaseRepositoryOptions,
  ) {
    this.base = `${options.keyPrefix ?? 'vigil:'}{cases}:`;
    this.options = { cipher: options.cipher, now: options.now ?? Date.now, labelledRetentionMs: options.labelledRetentionMs ?? LABELLED_RETENTION_MS };
  }

  async open(input: CaseInput): Promise<void> {
    await this.sweep();
    const stored = sealCase(input, this.options.cipher, new Date(this.options.now()));
    const indexes = [...indexesOf('open', input.type, input.decision), ...indexesOf('all', input.type, input.decision)].map((n) => this.indexKey(n));
    const openedAtMs = Date.parse(stored.opened.openedAt);
    await guardRedis(this.redis.vigilCaseOpen(this.caseKey(input.eventId), indexes, openedAtMs, input.eventId, JSON.stringify(stored.opened), stored.sealedDetails));
  }

  async get(id: string): Promise<CaseSummary | undefined> {
    const stored = await this.read(id);
    return stored && summaryOf(stored);
  }

  async reveal(id: string): Promise<CaseDetail | undefined> {
    const stored = await this.read(id);
    return stored && detailOf(stored, this.options.cipher);
  }

  async list(query: CaseListQuery): Promise<CasePage> {
    const index = this.indexKey(indexName(query.status, query.type, query.decision));
    const [ties, older] = await guardRedis(this.redis.vigilCaseList(index, query.limit + 1, query.after?.openedAtMs));
    const after = query.after;
    const positions: CasePosition[] = after
      ? ties
          .map((id) => ({ openedAtMs: after.openedAtMs, id }))
          .filter((p) => compareNewestFirst(p, after) > 0)
          .sort(compareNewestFirst)
      : [];
    for (let i = 0; i + 1 < older.length; i += 2) positions.push({ id: older[i] as string, openedAtMs: Number(older[i + 1]) });
    const page = positions.slice(0, query.limit);
    const stored = await Promise.all(page.map((p) => this.read(p.id)));
    return {
      // An id whose hash expired before the next sweep took it out of the index is skipped.
      cases: stored.filter((s): s is StoredCase => s !== undefined).map(summaryOf),
      next: positions.length > query.limit ? page.at(-1) : undefined,
    };
  }

  async label(id: string, update: CaseLabelUpdate): Promise<LabelOutcome | undefined> {
    await this.sweep();
    const json = await guardRedis(this.redis.hGet(this.caseKey(id), 'case'));
    if (json === null || json === undefined) return undefined;
    const opened = JSON.parse(json) as OpenedCase;
    const labelling: CaseLabelling = { label: update.label, labelledBy: update.labelledBy, labelledAt: update.at.toISOString() };
    const reply = await guardRedis(
      this.redis.vigilCaseLabel(
        this.caseKey(id),
        this.expiryKey(),
        indexesOf('open', opened.type, opened.decision).map((n) => this.indexKey(n)),
        indexesOf('labelled', opened.type, opened.decision).map((n) => this.indexKey(n)),
        id,
        Date.parse(opened.openedAt),
        update.at.getTime() + this.options.labelledRetentionMs,
        labelling,
        update.note === undefined ? '' : this.options.cipher.seal(update.note),
      ),
    );
    if (!reply) return undefined;
    const [label, labelledBy, labelledAt, fields] = reply;
    return {
      case: summaryOf(storedOf(pairsToRecord(fields))),
      previous: label ? { label: label as CaseLabel, labelledBy, labelledAt } : undefined,
    };
  }

  async close(): Promise<void> {
    await this.redis.close();
  }

  private async read(id: string): Promise<StoredCase | undefined> {
    const fields = await guardRedis(this.redis.hGetAll(this.caseKey(id)));
    return fields.case === undefined ? undefined : storedOf(fields);
  }

  private async sweep(): Promise<void> {
    await guardRedis(this.redis.vigilCaseSweep(this.expiryKey(), SWEPT_INDEXES.map((n) => this.indexKey(n)), this.options.now(), SWEEP_BATCH));
  }

  private caseKey(id: string): string {
    return `${this.base}c:${id}`;
  }

  private indexKey(name: string): string {
    return `${this.base}i:${name}`;
  }

  private expiryKey(): string {
    return `${this.base}expiry`;
  }
}

function pairsToRecord(flat: string[]): Record<string, string> {
  const record: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) record[flat[i] as string] = flat[i + 1] as string;
  return record;
}

function storedOf(fields: Record<string, string>): StoredCase {
  return {
    opened: JSON.parse(fields.case as string) as OpenedCase,
    labelling: fields.label ? { label: fields.label as CaseLabel, labelledBy: fields.labelledBy ?? '', labelledAt: fields.labelledAt ?? '' } : undefined,
    sealedDetails: fields.details as string,
    sealedNote: fields.note,
  };
}
