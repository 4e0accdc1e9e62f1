import { withDeadline } from '../core/deadline';
import { UnavailableError, ValidationError, VigilError } from '../core/errors';
import type { Logger } from '../core/logger';
import { safeParseEventOf, tsMillis, type VigilEvent } from '../data/schemas';
import type { ScoredEventType } from '../features/definitions';
import type { FeaturePipeline, ItemResult } from '../features/pipeline';
import { decide, type Decision } from './decision';
import { evaluatePolicy } from './policy/evaluate-policy';
import type { Policy } from './policy/policy-schema';
import { FAIL_REASONS, modelReasons, type FailReason, type Reason } from './reasons';
import type { LoadedModel, ModelHolder } from './scorer/model-holder';
import type { AuditLog, CaseStore, ResponseStore, ScoreResponse } from './stores/serving-stores';

/** Keeps events that were answered while the feature store was away, and applies them once it is back. */
export interface EventSpool {
  add(event: VigilEvent): Promise<void>;
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

  async score(type: ScoredEventType, body: unknown, caller: Caller): Promise<ScoreResponse> {
    const parsed = safeParseEventOf(type, body);
    if (!parsed.ok) throw new ValidationError(`invalid ${type} event`, parsed.issues);
    const event = parsed.value as ScoredEvent;
    // The stored answer and the feature step are asked for together (one round trip instead of two): for a repeated
    // event id the feature step finds a duplicate and changes nothing, and the stored answer wins. A stored answer
    // that cannot be read in time is treated as absent.
    const [earlier, features] = await Promise.all([
      withDeadline(this.o.responses.get(event.eventId), this.o.deadlineMs, 'response_store_unavailable').catch(() => undefined),
      this.featuresOf(event),
    ]);
    if (earlier) return earlier;
    const model = this.o.models.champion(type);
    let response: ScoreResponse;
    if (features.kind === 'unavailable') {
      await this.o.spool.add(event);
      response = this.failMode(event, 'feature_store_unavailable');
    } else if (features.kind === 'duplicate') {
      // Applied before (e.g. through /v1/events) but never answered: the state before it is gone, so there is no
      // honest score to give.
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
    await this.record(event, response, caller);
    return response;
  }

  private async featuresOf(event: ScoredEvent): Promise<ItemResult | { kind: 'unavailable' }> {
    const work = this.o.pipeline.process([{ kind: 'event', event, tsMs: tsMillis(event.ts) }]);
    try {
      return (await withDeadline(work, this.o.deadlineMs, 'feature_store_deadline'))[0] as ItemResult;
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

  private async record(event: ScoredEvent, response: ScoreResponse, caller: Caller): Promise<void> {
    this.o.observer.decision(event.type, response.decision);
    const writes: Promise<unknown>[] = [
      this.o.audit.append({
        kind: 'decision',
        actor: caller.keyId,
        subject: event.eventId,
        data: { type: event.type, userId: event.userId, decision: response.decision, score: response.score, model: response.model?.version ?? null },
      }),
    ];
    if (response.score !== null) writes.push(this.o.responses.put(response));
    if (response.decision === 'hold' || response.decision === 'step_up') {
      const { eventId, userId, ts, type, ...details } = event;
      writes.push(this.o.cases.open({ eventId, type, userId, ts, score: response.score, decision: response.decision, reasons: response.reasons, model: response.model, details }));
    }
    // The answer does not wait on bookkeeping failures, nor longer than the deadline on a hung store: failures are
    // logged and the decision stands.
    const settled = Promise.allSettled(writes).then((results) => {
      for (const r of results) if (r.status === 'rejected') this.o.log.error({ err: String(r.reason), eventId: event.eventId }, 'recording a decision failed');
    });
    await withDeadline(settled, this.o.deadlineMs, 'bookkeeping_deadline').catch(() => this.o.log.warn({ eventId: event.eventId }, 'recording a decision is slow; answering without waiting'));
  }
}

export class DuplicateEventError extends VigilError {
  constructor(eventId: string) {
    super('duplicate_event', `event ${eventId} was already applied without being scored; send a new event id`, 409);
  }
}
