import type { ScoredEventType } from '../../features/definitions';
import type { Promotion } from '../../models/registry';
import type { Decision } from '../decision';
import type { Reason } from '../reasons';

/** The answer to a scoring request, as sent and as remembered for retries of the same event id. */
export interface ScoreResponse {
  eventId: string;
  /** Calibrated fraud probability; null when no model could score (fail mode). */
  score: number | null;
  decision: Decision;
  reasons: Reason[];
  model: { name: string; version: string } | null;
}

/** Remembers answers by event id, so a retried request gets the first answer and changes nothing. */
export interface ResponseStore {
  get(eventId: string): Promise<ScoreResponse | undefined>;
  put(response: ScoreResponse): Promise<void>;
}

/** A case for analysts: a held or stepped-up event. */
export interface CaseInput {
  eventId: string;
  type: ScoredEventType;
  userId: string;
  ts: string;
  score: number | null;
  decision: Decision;
  reasons: Reason[];
  model: { name: string; version: string } | null;
  /** What the analyst needs to see of the event (IP, device, address, amounts); stored encrypted. */
  details: Record<string, unknown>;
}

export interface CaseStore {
  open(input: CaseInput): Promise<void>;
}

/** An entry of the append-only audit trail. */
export interface AuditEntry {
  kind: 'decision' | 'label' | 'key_created' | 'key_revoked' | 'promotion' | 'challenger' | 'list_loaded' | 'case_labelled';
  /** Who: an API key id, `cli`, or `system`. */
  actor: string;
  /** What it concerns: an event id, a key id, a model version. */
  subject: string;
  data: Record<string, unknown>;
}

/** The audit entry of a promotion, whoever made it (HTTP API or command line). */
export function promotionEntry(actor: string, version: string, promotion: Promotion): AuditEntry {
  return { kind: 'promotion', actor, subject: version, data: { eventType: promotion.eventType, previous: promotion.previous } };
}

export interface AuditLog {
  append(entry: AuditEntry): Promise<void>;
}

/** An audit entry as kept: with the time it was appended and its id in the trail (ordered by time). */
export interface AuditRecord extends AuditEntry {
  /** Position in the trail; in Redis the stream entry id `<ms>-<seq>`. */
  id: string;
  /** ISO 8601 UTC, when the entry was appended. */
  ts: string;
}

/** The audit log with a way to read it back; append-only: entries are never changed, only aged out. */
export interface AuditTrail extends AuditLog {
  /** Entries appended in `[since, until]` (either end optional), oldest first, read page by page. */
  read(range?: { since?: Date; until?: Date }): AsyncIterable<AuditRecord>;
}
