import { NotFoundError, UnavailableError } from '../../core/errors';
import type { Logger } from '../../core/logger';
import type { Label } from '../../data/schemas';
import type { FeaturePipeline } from '../../features/pipeline';
import type { CaseService } from '../deps';
import type { AuditLog } from '../stores/serving-stores';
import { encodeCursor, parseCaseListQuery, parseLabelRequest } from './case-query';
import type { CaseDetail, CaseSummary } from './case-record';
import type { CaseRepository } from './case-repository';
import type { LabelLog } from './label-log';

export interface AnalystCaseServiceOptions {
  cases: CaseRepository;
  /** Labels flow back into feature state through it (user fraud labels, address fraud share). */
  pipeline: Pick<FeaturePipeline, 'process'>;
  /** Keeps analysts' labels for the next training set. */
  labelLog: LabelLog;
  audit: AuditLog;
  log: Logger;
  /** Current time, ms: the time a label becomes known. @defaultValue Date.now */
  now?: () => number;
}

/** `GET /v1/cases`: one page, newest first; `next` is the cursor of the following page, null on the last. */
export interface CaseListResponse {
  cases: CaseSummary[];
  next: string | null;
}

/** `POST /v1/cases/:id/label`: the case as labelled, and whether the label reached the event's feature state. */
export interface CaseLabelResponse extends CaseSummary {
  /** `applied`; `unknown_event` when the feature store no longer knows the event (beyond its horizon). */
  featureState: 'applied' | 'unknown_event';
}

/** The source of every label given in the review page, in the feature state, the labels log and the audit. */
export const ANALYST_SOURCE = 'analyst';

/**
 * The analysts' side of cases: the queue, one case with its details, and labelling. A label becomes known now
 * (point in time: features of events after this moment see it, earlier ones never do). It is written to the labels
 * log first, then applied to the event's feature state, recorded on the case and audited: a request that fails
 * before the log changed nothing, and one that fails later has at least kept the analyst's decision for training, so
 * that the retry it answers for (a 503) only completes it. The same label again, without a note, changes nothing.
 */
export class AnalystCaseService implements CaseService {
  private readonly now: () => number;

  constructor(private readonly o: AnalystCaseServiceOptions) {
    this.now = o.now ?? Date.now;
  }

  async list(query: Record<string, unknown>): Promise<CaseListResponse> {
    const page = await this.o.cases.list(parseCaseListQuery(query));
    return { cases: page.cases, next: page.next ? encodeCursor(page.next) : null };
  }

  async get(id: string): Promise<CaseDetail> {
    const found = await this.o.cases.reveal(id);
    if (!found) throw unknownCase(id);
    return found;
  }

  async label(id: string, body: unknown, actor: string): Promise<CaseLabelResponse> {
    const request = parseLabelRequest(body);
    const current = await this.o.cases.get(id);
    if (!current) throw unknownCase(id);
    if (current.label === request.label && request.note === undefined && current.labelledAt !== undefined) {
      // A repeat (a double click, a client retry): the label as first given, applied again at its own time, which the
      // reducers ignore (they keep the label they hold); only whether the store knows the event is asked for.
      const label: Label = { eventId: id, label: request.label, ts: current.labelledAt, source: ANALYST_SOURCE };
      return { ...current, featureState: await this.applyToFeatures(label) };
    }
    const at = new Date(this.now());
    const label: Label = { eventId: id, label: request.label, ts: at.toISOString(), source: ANALYST_SOURCE };
    try {
      await this.o.labelLog.append(label);
    } catch (err) {
      this.o.log.error({ err: String(err), eventId: id }, 'writing the analysts\' labels file failed');
      throw new UnavailableError('labels_log_unavailable', "the analysts' labels file could not be written; nothing was changed, try again");
    }
    const featureState = await this.applyToFeatures(label);
    const outcome = await this.o.cases.label(id, { label: request.label, note: request.note, labelledBy: actor, at });
    // Expired between the two calls: the label is in the features and the log, and there is no case left to mark.
    if (!outcome) throw unknownCase(id);
    try {
      await this.o.audit.append({
        kind: 'case_labelled',
        actor,
        subject: id,
        data: {
          label: request.label,
          previous: outcome.previous ? { label: outcome.previous.label, labelledBy: outcome.previous.labelledBy, labelledAt: outcome.previous.labelledAt } : null,
          ts: label.ts,
          source: ANALYST_SOURCE,
          hasNote: request.note !== undefined,
          featureState,
        },
      });
    } catch (err) {
      // As for other labels (ingestor.ts): the label stands; a missing audit entry is an operator's matter.
      this.o.log.error({ err: String(err), eventId: id }, 'auditing a case label failed');
    }
    return { ...outcome.case, featureState };
  }

  private async applyToFeatures(label: Label): Promise<CaseLabelResponse['featureState']> {
    const [result] = await this.o.pipeline.process([{ kind: 'label', label, tsMs: Date.parse(label.ts) }], { features: false });
    return result?.kind === 'label_applied' ? 'applied' : 'unknown_event';
  }
}

const unknownCase = (id: string): NotFoundError => new NotFoundError(`no case for event '${id}'`);
