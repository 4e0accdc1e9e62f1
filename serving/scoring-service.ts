import { withDeadline } from '../core/deadline';
import { UnavailableError, ValidationError, VigilError } from '../core/errors';
import type { Logger } from '../core/logger';
import { tsAheadIssue } from '../data/event-clock';
import { safeParseEventOf, tsMillis, type VigilEvent } from '../data/schemas';
import type { ScoredEventType } from '../features/definitions';
import type { FeaturePipeline, ItemResult } from '../features/pipeline';
import { decide, type Decision } from './decision';
import { evaluatePolicy } from './policy/evaluate-policy';
import type { Policy } from './policy/policy-schema';
import { FAIL_REASONS, modelReasons, type FailReason, type Reason } from './reasons';
import type { LoadedModel, ModelHolder } from './scorer/model-holder';
import { recordParts, writeDecisionRecord, type DecisionRecord } from './decision-record';
import type { AuditLog, CaseStore, ResponseStore, ScoreResponse } from './stores/serving-stores';

/**
 * Keeps events that were answered while the feature store was away, and applies them once it is back; with a record,
 * it also writes the answer's bookkeeping that could not be written when it was given.
 */
export interface EventSpool {
  add(event: VigilEvent, record?: DecisionRecord): Promise<void>;
}

/** What the service reports about each answer (Prometheus counters and histograms). */
export interface ScoringObserver {
  decision(type: ScoredEventType, decision: Decision): void;
  featureStoreError(reason: string): void;
  shadow(type: ScoredEventType, version: string, score: number): void;
}

export interface ScoringServiceOptions {
  pipeline: FeaturePipeline;
  models: ModelHolder;
  policy: Policy;
  responses: ResponseStore;
  cases: CaseStore;
  audit: AuditLog;
  spool: EventSpool;
  observer: ScoringObserver;
  log: Logger;
  /** How long the feature store may take before the fail mode answers, ms. @defaultValue 50 */
  deadlineMs: number;
  /** How far ahead of this server's clock an event may be timed, ms. */
  maxAheadMs: number;
}

type ScoredEvent = Extract<VigilEvent, { type: ScoredEventType }>;

/** Carries who asked, for the audit trail. */
export interface Caller {
  keyId: string;
}

/**
 * Scores one login or withdrawal: validate, replay a stored answer for a repeated event id, read features and apply
 * the event in one feature-store step (within the deadline, else the fail mode), run the champion through ONNX
 * Runtime, apply the policy, explain non-allow decisions, open a case for held and stepped-up events, audit.
 */
export class ScoringService {
  constructor(private readonly o: ScoringServiceOptions) {}

  /**
   * `receivedAt` (`performance.now()` ms) is when the request arrived: the deadline counts from it, so that time spent
   * on the API key or the rate limit while Redis hangs is not spent again here.
   */
  async score(type: ScoredEventType, body: unknown, caller: Caller, receivedAt = performance.now()): Promise<ScoreResponse> {
    const parsed = safeParseEventOf(type, body);
    if (!parsed.ok) throw new ValidationError(`invalid ${type} event`, parsed.issues);
    const event = parsed.value as ScoredEvent;
    const tsMs = tsMillis(event.ts);
    const ahead = tsAheadIssue(tsMs, Date.now(), this.o.maxAheadMs);
    if (ahead) throw new ValidationError(`invalid ${type} event`, [ahead]);
    const left = () => Math.max(0, receivedAt + this.o.deadlineMs - performance.now());
    // The stored answer and the feature step are asked for together (one round trip instead of two): for a repeated
    // event id the feature step finds a duplicate and changes nothing, and the stored answer wins. A stored answer
    // that cannot be read in time is treated as absent.
    const [earlier, features] = await Promise.all([this.storedAnswer(event.eventId, left()), this.featuresOf(event, tsMs, left())]);
    if (earlier) return earlier;
    const model = this.o.models.champion(type);
    let response: ScoreResponse;
    if (features.kind === 'unavailable') {
      // The store that would keep the answer, its audit entry and its case is the one away: the spool keeps them all,
      // on disk before the answer goes out, and writes them once it is back.
      response = this.failMode(event, 'feature_store_unavailable');
      await this.o.spool.add(event, { response, actor: caller.keyId, pending: recordParts(response) });
      this.o.observer.decision(event.type, response.decision);
      return response;
    } else if (features.kind === 'duplicate') {
      // A request for the same event id that came just before may still be recording its answer: that answer is the
      // one to give. Otherwise the event was applied without an answer (e.g. through /v1/events): the state before
      // it is gone, so there is no honest score to give.
      const first = await this.answerOfConcurrent(event.eventId, left);
      if (first) return first;
      throw new DuplicateEventError(event.eventId);
    } else if (features.kind !== 'features') {
      throw new Error(`feature pipeline returned '${features.kind}' for a ${event.type} event`);
    } else if (!model) {
      response = this.failMode(event, 'model_unavailable');
    } else {
      const x = Float32Array.from(features.features);
      response = await this.decideWithModel(event, model, x, features.denyList, features.address);
      void this.shadow(event, x);
    }
    await this.record(event, response, caller, left());
    return response;
  }

  private storedAnswer(eventId: string, ms: number): Promise<ScoreResponse | undefined> {
    return withDeadline(this.o.responses.get(eventId), ms, 'response_store_unavailable').catch(() => undefined);
  }

  /** The answer another request is recording for `eventId`, looked for until the deadline. */
  private async answerOfConcurrent(eventId: string, left: () => number): Promise<ScoreResponse | undefined> {
    for (;;) {
      const answer = await this.storedAnswer(eventId, left());
      if (answer || left() === 0) return answer;
      await new Promise((resolve) => setTimeout(resolve, Math.min(ANSWER_POLL_MS, left())));
    }
  }

  private async featuresOf(event: ScoredEvent, tsMs: number, ms: number): Promise<ItemResult | { kind: 'unavailable' }> {
    const work = this.o.pipeline.process([{ kind: 'event', event, tsMs }]);
    try {
      return (await withDeadline(work, ms, 'feature_store_deadline'))[0] as ItemResult;
    } catch (err) {
      if (!(err instanceof UnavailableError)) throw err;
      this.o.observer.featureStoreError(err.reason === 'feature_store_deadline' ? 'deadline' : 'unavailable');
      return { kind: 'unavailable' };
    }
  }

  private async decideWithModel(
    event: ScoredEvent,
    model: LoadedModel,
    x: Float32Array,
    denyList: string | undefined,
    address: string | undefined,
  ): Promise<ScoreResponse> {
    const score = (await model.session.predict(x))[0] as number;
    const thresholds = { ...model.manifest.thresholds, ...this.o.policy.thresholds[event.type] };
    const names = model.manifest.featureNames;
    const outcome = evaluatePolicy(
      this.o.policy,
      {
        type: event.type,
        feature: (name) => x[model.featureIndex.get(name) ?? -1] ?? Number.NaN,
        denyList,
        userId: event.userId,
        address,
      },
      decide(score, thresholds),
    );
    const reasons: Reason[] = outcome.matched.map((rule) =>
      'denyListed' in rule.when && denyList
        ? { code: rule.name, text: `${rule.description} List: ${denyList}.`, list: denyList }
        : { code: rule.name, text: rule.description },
    );
    if (outcome.decision !== 'allow') reasons.push(...modelReasons(names, x, model.explainer.contributions(x)));
    return {
      eventId: event.eventId,
      score,
      decision: outcome.decision,
      reasons,
      model: { name: model.manifest.name, version: model.manifest.version },
    };
  }

  private failMode(event: ScoredEvent, reason: FailReason): ScoreResponse {
    return {
      eventId: event.eventId,
      score: null,
      decision: this.o.policy.failModes[event.type],
      reasons: [{ code: reason, text: FAIL_REASONS[reason] }],
      model: null,
    };
  }

  /** Scores the challenger in shadow: logged and counted, never acted on, never delaying the answer. */
  private async shadow(event: ScoredEvent, x: Float32Array): Promise<void> {
    const challenger = this.o.models.challenger(event.type);
    if (!challenger) return;
    try {
      const score = (await challenger.session.predict(x))[0] as number;
      this.o.observer.shadow(event.type, challenger.manifest.version, score);
      this.o.log.info({ eventId: event.eventId, challenger: challenger.manifest.version, score }, 'shadow score');
    } catch (err) {
      this.o.log.warn({ err: String(err), eventId: event.eventId }, 'shadow scoring failed');
    }
  }

  /**
   * Audits the answer, keeps it for retries and opens a case for held and stepped-up events, waiting at most `ms`:
   * the answer does not wait longer on a hung store. What fails goes to the spool, to be written once the store is
   * back, so an answer given is never left unrecorded.
   */
  private async record(event: ScoredEvent, response: ScoreResponse, caller: Caller, ms: number): Promise<void> {
    this.o.observer.decision(event.type, response.decision);
    const record: DecisionRecord = { response, actor: caller.keyId, pending: recordParts(response) };
    const recorded = writeDecisionRecord(this.o, event, record)
      .then(async (failed) => {
        if (failed.length === 0) return;
        this.o.log.warn({ eventId: event.eventId, failed: failed.map((f) => ({ part: f.part, err: String(f.err) })) }, 'recording a decision failed; spooled');
        await this.o.spool.add(event, { ...record, pending: failed.map((f) => f.part) });
      })
      .catch((err: unknown) => this.o.log.error({ err: String(err), eventId: event.eventId }, 'recording a decision failed and could not be spooled'));
    await withDeadline(recorded, ms, 'bookkeeping_deadline').catch(() => this.o.log.warn({ eventId: event.eventId }, 'recording a decision is slow; answering without waiting'));
  }
}

/** How often a request for an event id being answered by another request looks for that answer, ms. */
const ANSWER_POLL_MS = 2;

export class DuplicateEventError extends VigilError {
  constructor(eventId: string) {
    super('duplicate_event', `event ${eventId} was already applied without being scored; send a new event id`, 409);
  }
}
