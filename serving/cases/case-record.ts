import type { ScoredEventType } from '../../features/definitions';
import type { Decision } from '../decision';
import type { Reason } from '../reasons';
import type { CaseInput } from '../stores/serving-stores';
import type { DetailsCipher } from './details-cipher';

export const CASE_STATUSES = ['open', 'labelled'] as const;
/** `open`: waiting for an analyst; `labelled`: an analyst said fraud or legit (and may say it again). */
export type CaseStatus = (typeof CASE_STATUSES)[number];
export type CaseLabel = 'fraud' | 'legit';

/** What is fixed when a case opens: the scored event's identity and the answer it got. */
export interface OpenedCase {
  /** The event id: one case per event. */
  id: string;
  type: ScoredEventType;
  userId: string;
  /** The event's time, as the client sent it. */
  ts: string;
  /** When the case opened (ISO 8601 UTC): the order of the queue. */
  openedAt: string;
  score: number | null;
  decision: Decision;
  reasons: Reason[];
  model: { name: string; version: string } | null;
}

/** The latest analyst label of a case: a later label replaces it (corrections). */
export interface CaseLabelling {
  label: CaseLabel;
  /** API key id of the analyst. */
  labelledBy: string;
  /** ISO 8601 UTC. */
  labelledAt: string;
}

/** A case as a store keeps it: personal data only as ciphertext (see details-cipher.ts). */
export interface StoredCase {
  opened: OpenedCase;
  labelling: CaseLabelling | undefined;
  sealedDetails: string;
  sealedNote: string | undefined;
}

/** A case as lists show it: no personal details, no note. */
export interface CaseSummary extends OpenedCase {
  status: CaseStatus;
  label?: CaseLabel;
  labelledBy?: string;
  labelledAt?: string;
}

/** A case as an analyst opens it: with the event's details and the note, decrypted. */
export interface CaseDetail extends CaseSummary {
  details: Record<string, unknown>;
  note?: string;
}

/** A place in the queue's order: newest `openedAt` first, then event id in descending byte order. */
export interface CasePosition {
  openedAtMs: number;
  id: string;
}

/** The statuses a list can ask for: one, or both. */
export type CaseListStatus = CaseStatus | 'all';

export interface CaseListQuery {
  status: CaseListStatus;
  type?: ScoredEventType;
  decision?: Decision;
  /** Cases per page, 1 to 100. */
  limit: number;
  /** Start after this position (the previous page's `next`). */
  after?: CasePosition;
}

export interface CasePage {
  cases: CaseSummary[];
  /** Where the next page starts; undefined on the last page. */
  next: CasePosition | undefined;
}

/** Seals an input into the stored form: the details are encrypted here, before any store sees them. */
export function sealCase(input: CaseInput, cipher: DetailsCipher, openedAt: Date): StoredCase {
  return {
    opened: {
      id: input.eventId,
      type: input.type,
      userId: input.userId,
      ts: input.ts,
      openedAt: openedAt.toISOString(),
      score: input.score,
      decision: input.decision,
      reasons: input.reasons,
      model: input.model,
    },
    labelling: undefined,
    sealedDetails: cipher.seal(input.details),
    sealedNote: undefined,
  };
}

export function summaryOf(stored: StoredCase): CaseSummary {
  return { ...stored.opened, status: stored.labelling ? 'labelled' : 'open', ...stored.labelling };
}

/** Decrypts details and note: the one place a case's personal data is turned back into clear text. */
export function detailOf(stored: StoredCase, cipher: DetailsCipher): CaseDetail {
  const detail: CaseDetail = { ...summaryOf(stored), details: cipher.unseal(stored.sealedDetails) as Record<string, unknown> };
  if (stored.sealedNote !== undefined) detail.note = cipher.unseal(stored.sealedNote) as string;
  return detail;
}

export const positionOf = (opened: OpenedCase): CasePosition => ({ openedAtMs: Date.parse(opened.openedAt), id: opened.id });

/**
 * The queue's order: newer first; at equal times, event ids in descending byte order (UTF-8), which is how a Redis
 * sorted set orders equal scores in reverse, so both stores page identically.
 */
export function compareNewestFirst(a: CasePosition, b: CasePosition): number {
  if (a.openedAtMs !== b.openedAtMs) return b.openedAtMs - a.openedAtMs;
  return Buffer.compare(Buffer.from(b.id), Buffer.from(a.id));
}

/**
 * Name of the index holding the cases of one status (or both), one type (or any, `*`) and one decision (or any), so
 * that every filter combination is one ordered index and a page costs O(log n + page size).
 */
export function indexName(status: CaseListStatus, type: string | undefined, decision: string | undefined): string {
  return `${status}:${type ?? '*'}:${decision ?? '*'}`;
}

/** The four indexes of one status a case is in: its own type and decision, each or both replaced by "any". */
export function indexesOf(status: CaseListStatus, type: string, decision: string): string[] {
  return [indexName(status, type, decision), indexName(status, type, undefined), indexName(status, undefined, decision), indexName(status, undefined, undefined)];
}

const TYPES: readonly ScoredEventType[] = ['login', 'withdrawal'];
const DECISION_NAMES: readonly Decision[] = ['allow', 'step_up', 'hold', 'block'];

/** Every index of one status, whatever the type and decision (for removing a case known only by its id). */
export function everyIndexOf(status: CaseListStatus): string[] {
  const names: string[] = [];
  for (const type of [undefined, ...TYPES]) for (const decision of [undefined, ...DECISION_NAMES]) names.push(indexName(status, type, decision));
  return names;
}
