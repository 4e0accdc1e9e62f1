import type { AuditEntry, AuditRecord, AuditTrail } from './serving-stores';
import { guardRedis } from './redis-errors';

const DAY_MS = 86_400_000;
/** Entries per XRANGE call while reading: large enough to be quick, small enough not to stall the server. */
const PAGE_SIZE = 1_000;

/** The stream commands the trail sends (a node-redis client or cluster). */
export interface AuditCommands {
  xAdd(
    key: string,
    id: string,
    message: Record<string, string>,
    options: { TRIM: { strategy: 'MINID'; strategyModifier: '~'; threshold: number } },
  ): Promise<string>;
  xRange(key: string, start: string, end: string, options: { COUNT: number }): Promise<{ id: string; message: Record<string, string> }[] | null>;
}

export interface RedisAuditLogOptions {
  /** Prefix of every key. @defaultValue `vigil:` */
  keyPrefix?: string;
  /** Entries older than this are trimmed, days (VIGIL_AUDIT_RETENTION_DAYS). */
  retentionDays: number;
}

/**
 * The audit trail as one Redis stream, `<prefix>audit`: entries with fields kind, actor, subject and data (JSON).
 * The entry id (`<ms>-<seq>`, the server's clock) gives the order and the time, so `ts` is read from it. Every
 * XADD trims entries older than the retention (`MINID ~`, which trims whole stream nodes: a few entries past the
 * threshold may linger until the next node is full). There is no command here that changes or deletes an entry.
 */
export class RedisAuditLog implements AuditTrail {
  private readonly key: string;
  private readonly retentionMs: number;

  constructor(
    private readonly redis: AuditCommands,
    options: RedisAuditLogOptions,
  ) {
    this.key = `${options.keyPrefix ?? 'vigil:'}audit`;
    this.retentionMs = options.retentionDays * DAY_MS;
  }

  async append(entry: AuditEntry): Promise<void> {
    const message = { kind: entry.kind, actor: entry.actor, subject: entry.subject, data: JSON.stringify(entry.data) };
    await guardRedis(this.redis.xAdd(this.key, '*', message, { TRIM: { strategy: 'MINID', strategyModifier: '~', threshold: Date.now() - this.retentionMs } }));
  }

  async *read(range: { since?: Date; until?: Date } = {}): AsyncIterable<AuditRecord> {
    let start = range.since ? String(range.since.getTime()) : '-';
    const end = range.until ? String(range.until.getTime()) : '+';
    for (;;) {
      const page = (await guardRedis(this.redis.xRange(this.key, start, end, { COUNT: PAGE_SIZE }))) ?? [];
      for (const { id, message } of page) yield toRecord(id, message);
      const last = page.at(-1);
      if (!last || page.length < PAGE_SIZE) return;
      start = `(${last.id}`;
    }
  }
}

function toRecord(id: string, message: Record<string, string>): AuditRecord {
  return {
    id,
    ts: new Date(Number(id.slice(0, id.indexOf('-')))).toISOString(),
    kind: message.kind as AuditEntry['kind'],
    actor: message.actor ?? '',
    subject: message.subject ?? '',
    data: JSON.parse(message.data ?? '{}') as Record<string, unknown>,
  };
}
