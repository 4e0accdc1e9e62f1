import type { VigilEvent } from '../data/schemas';
import type { ScoredEventType } from '../features/definitions';
import type { AuditLog, CaseStore, ResponseStore, ScoreResponse } from './stores/serving-stores';

/** What is kept of an answer: the audit entry, the answer for retries of the event id, and for some a case. */
export type RecordPart = 'audit' | 'answer' | 'case';

/** An answer given and the parts of its bookkeeping still to be written. */
export interface DecisionRecord {
  response: ScoreResponse;
  /** Who asked: the API key id. */
  actor: string;
  pending: RecordPart[];
}

export interface DecisionStores {
  responses: ResponseStore;
  cases: CaseStore;
  audit: AuditLog;
}

type ScoredEvent = Extract<VigilEvent, { type: ScoredEventType }>;

/** Every answer is audited and remembered; held and stepped-up events also become cases for analysts. */
export function recordParts(response: ScoreResponse): RecordPart[] {
  return response.decision === 'hold' || response.decision === 'step_up' ? ['audit', 'answer', 'case'] : ['audit', 'answer'];
}

/**
 * Writes the pending parts of a decision's record, all at once, and resolves with those that failed. Each part can be
 * written again without harm but the audit entry: the answer is kept only if none is (SET NX), a case opens once.
 */
export async function writeDecisionRecord(stores: DecisionStores, event: ScoredEvent, record: DecisionRecord): Promise<{ part: RecordPart; err: unknown }[]> {
  const { response } = record;
  const write = (part: RecordPart): Promise<unknown> => {
    switch (part) {
      case 'audit':
        return stores.audit.append({
          kind: 'decision',
          actor: record.actor,
          subject: event.eventId,
          data: { type: event.type, userId: event.userId, decision: response.decision, score: response.score, model: response.model?.version ?? null },
        });
      case 'answer':
        return stores.responses.put(response);
      case 'case': {
        const { eventId, userId, ts, type, ...details } = event;
        return stores.cases.open({ eventId, type, userId, ts, score: response.score, decision: response.decision, reasons: response.reasons, model: response.model, details });
      }
    }
  };
  const results = await Promise.allSettled(record.pending.map(write));
  return results.flatMap((r, i) => (r.status === 'rejected' ? [{ part: record.pending[i] as RecordPart, err: r.reason }] : []));
}
