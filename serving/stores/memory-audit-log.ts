import type { AuditEntry, AuditRecord, AuditTrail } from './serving-stores';

export interface MemoryAuditLogOptions {
  /** Entries kept; the oldest go first. @defaultValue 100000 */
  capacity?: number;
  /** Current time, ms. @defaultValue Date.now */
  now?: () => number;
}

/**
 * The audit trail in process, for the embedded default: a bounded ring, so a long-running embedded service keeps the
 * most recent `capacity` entries in fixed memory. Ids have the Redis stream form `<ms>-<seq>` and increase.
 */
export class MemoryAuditLog implements AuditTrail {
  private readonly ring: (AuditRecord | undefined)[];
  /** Index of the oldest entry. */
  private head = 0;
  private size = 0;
  private last = { ms: -1, seq: 0 };
  private readonly now: () => number;

  constructor(options: MemoryAuditLogOptions = {}) {
    const capacity = options.capacity ?? 100_000;
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`MemoryAuditLog: capacity must be a whole number >= 1, got ${capacity}`);
    this.ring = new Array<AuditRecord | undefined>(capacity);
    this.now = options.now ?? Date.now;
  }

  async append(entry: AuditEntry): Promise<void> {
    // Like a Redis stream: the id's time never goes back, even if the clock does.
    const ms = Math.max(this.now(), this.last.ms);
    this.last = { ms, seq: ms === this.last.ms ? this.last.seq + 1 : 0 };
    const record: AuditRecord = { id: `${ms}-${this.last.seq}`, ts: new Date(ms).toISOString(), ...structuredClone(entry) };
    const capacity = this.ring.length;
    this.ring[(this.head + this.size) % capacity] = record;
    if (this.size < capacity) this.size++;
    else this.head = (this.head + 1) % capacity;
  }

  async *read(range: { since?: Date; until?: Date } = {}): AsyncIterable<AuditRecord> {
    const since = range.since?.getTime() ?? -Infinity;
    const until = range.until?.getTime() ?? Infinity;
    // A snapshot, so entries appended while the caller iterates do not shift the ring under it.
    const records: AuditRecord[] = [];
    for (let i = 0; i < this.size; i++) records.push(this.ring[(this.head + i) % this.ring.length] as AuditRecord);
    for (const r of records) {
      const ms = Number(r.id.slice(0, r.id.indexOf('-')));
      if (ms >= since && ms <= until) yield structuredClone(r);
    }
  }
}
