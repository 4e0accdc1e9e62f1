import type { CaseInput } from '../stores/serving-stores';
import {
  compareNewestFirst,
  detailOf,
  everyIndexOf,
  indexesOf,
  indexName,
  positionOf,
  sealCase,
  summaryOf,
  type CaseDetail,
  type CaseListQuery,
  type CasePage,
  type CasePosition,
  type CaseSummary,
  type StoredCase,
} from './case-record';
import { LABELLED_RETENTION_MS, type CaseLabelUpdate, type CaseRepository, type CaseRepositoryOptions, type LabelOutcome } from './case-repository';
import type { DetailsCipher } from './details-cipher';

/**
 * Cases in process, for the embedded default: the same sealed records, indexes and expiry as the Redis store, kept
 * in maps and sorted arrays (binary search to find a page). Open cases are kept until labelled.
 */
export class MemoryCaseRepository implements CaseRepository {
  private readonly cases = new Map<string, StoredCase>();
  /** Index name → positions, newest first. */
  private readonly indexes = new Map<string, CasePosition[]>();
  /** Labelled case id → when it expires, ms; in label order, which is expiry order as long as the clock goes forward. */
  private readonly expiries = new Map<string, number>();
  private readonly cipher: DetailsCipher;
  private readonly now: () => number;
  private readonly retentionMs: number;

  constructor(options: CaseRepositoryOptions) {
    this.cipher = options.cipher;
    this.now = options.now ?? Date.now;
    this.retentionMs = options.labelledRetentionMs ?? LABELLED_RETENTION_MS;
  }

  async open(input: CaseInput): Promise<void> {
    this.sweep();
    if (this.cases.has(input.eventId)) return;
    const stored = sealCase(input, this.cipher, new Date(this.now()));
    this.cases.set(input.eventId, stored);
    const position = positionOf(stored.opened);
    for (const name of [...indexesOf('open', input.type, input.decision), ...indexesOf('all', input.type, input.decision)]) {
      this.insert(name, position);
    }
  }

  async get(id: string): Promise<CaseSummary | undefined> {
    this.sweep();
    const stored = this.cases.get(id);
    return stored && structuredClone(summaryOf(stored));
  }

  async reveal(id: string): Promise<CaseDetail | undefined> {
    this.sweep();
    const stored = this.cases.get(id);
    return stored && detailOf(stored, this.cipher);
  }

  async list(query: CaseListQuery): Promise<CasePage> {
    this.sweep();
    const index = this.indexes.get(indexName(query.status, query.type, query.decision)) ?? [];
    const start = query.after ? firstAfter(index, query.after) : 0;
    const positions = index.slice(start, start + query.limit + 1);
    const page = positions.slice(0, query.limit);
    return {
      cases: page.map((p) => structuredClone(summaryOf(this.cases.get(p.id) as StoredCase))),
      next: positions.length > query.limit ? page.at(-1) : undefined,
    };
  }

  async label(id: string, update: CaseLabelUpdate): Promise<LabelOutcome | undefined> {
    this.sweep();
    const stored = this.cases.get(id);
    if (!stored) return undefined;
    const previous = stored.labelling;
    const { type, decision } = stored.opened;
    const position = positionOf(stored.opened);
    if (!previous) {
      for (const name of indexesOf('open', type, decision)) this.remove(name, id, position);
      for (const name of indexesOf('labelled', type, decision)) this.insert(name, position);
    }
    stored.labelling = { label: update.label, labelledBy: update.labelledBy, labelledAt: update.at.toISOString() };
    stored.sealedNote = update.note === undefined ? undefined : this.cipher.seal(update.note);
    this.expiries.delete(id);
    this.expiries.set(id, update.at.getTime() + this.retentionMs);
    return { case: structuredClone(summaryOf(stored)), previous };
  }

  async close(): Promise<void> {}

  /** Forgets labelled cases whose retention has passed (as their Redis keys expire). */
  private sweep(): void {
    const now = this.now();
    for (const [id, expiresAt] of this.expiries) {
      if (expiresAt > now) break;
      this.expiries.delete(id);
      const stored = this.cases.get(id);
      if (!stored) continue;
      this.cases.delete(id);
      const position = positionOf(stored.opened);
      for (const name of [...everyIndexOf('labelled'), ...everyIndexOf('all')]) this.remove(name, id, position);
    }
  }

  private insert(name: string, position: CasePosition): void {
    let index = this.indexes.get(name);
    if (!index) this.indexes.set(name, (index = []));
    index.splice(firstAfter(index, position), 0, position);
  }

  private remove(name: string, id: string, position: CasePosition): void {
    const index = this.indexes.get(name);
    if (!index) return;
    const at = firstAfter(index, position) - 1;
    if (index[at]?.id === id) index.splice(at, 1);
  }
}

/** The first place in `index` (newest first) that comes after `position`: binary search. */
function firstAfter(index: readonly CasePosition[], position: CasePosition): number {
  let lo = 0;
  let hi = index.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareNewestFirst(index[mid] as CasePosition, position) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
