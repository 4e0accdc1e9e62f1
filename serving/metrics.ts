import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ScoredEventType } from '../features/definitions';
import type { Decision } from './decision';
import type { ScoringObserver } from './scoring-service';
import type { ModelHolder } from './scorer/model-holder';

const SCORED_TYPES: readonly ScoredEventType[] = ['login', 'withdrawal'];

/** What the metrics read at scrape time rather than being told about. */
export interface ServingMetricsSources {
  models: ModelHolder;
  /** Events waiting in the spool (see spool.ts). */
  spoolBacklog: () => number;
}

/** The Prometheus registry of the service and the observer the scoring service reports to. */
export interface ServingMetrics {
  registry: Registry;
  observer: ScoringObserver;
}

/**
 * Builds the service's Prometheus registry: Node's default metrics (process, heap and event-loop figures)
 * plus the scoring counters. Model and spool figures are read when Prometheus scrapes, so a promotion or a drained
 * spool shows up without anyone having to remember to update a gauge. The HTTP latency histogram is added by the app
 * itself (routes/request-metrics.ts) on the same registry.
 */
export function createServingMetrics(sources: ServingMetricsSources): ServingMetrics {
  const registry = new Registry();
  // Unprefixed, as the standard Node.js dashboards expect (`process_*`, `nodejs_*`).
  collectDefaultMetrics({ register: registry });

  const decisions = new Counter({
    name: 'vigil_decisions_total',
    help: 'Scoring answers by event type and decision (fail-mode answers included)',
    labelNames: ['type', 'decision'],
    registers: [registry],
  });
  const featureStoreErrors = new Counter({
    name: 'vigil_feature_store_errors_total',
    help: 'Scoring requests whose features could not be read: deadline (too slow) or unavailable (unreachable)',
    labelNames: ['reason'],
    registers: [registry],
  });
  const shadowScores = new Counter({
    name: 'vigil_shadow_scores_total',
    help: 'Challenger scores computed in shadow, by event type and challenger version',
    labelNames: ['type', 'version'],
    registers: [registry],
  });
  const shadowScoreValues = new Histogram({
    name: 'vigil_shadow_score',
    help: 'Calibrated fraud probabilities of challengers in shadow, by event type',
    labelNames: ['type'],
    buckets: [0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1],
    registers: [registry],
  });
  new Gauge({
    name: 'vigil_model_info',
    help: 'Champion model in service per event type (value 1; the version is the label)',
    labelNames: ['type', 'version'],
    registers: [registry],
    // Across the workers of `vigil serve --workers`: in service in any of them, not a count of them.
    aggregator: 'max',
    collect() {
      // Reset first: after a promotion the previous version must disappear rather than linger at 1.
      this.reset();
      for (const type of SCORED_TYPES) {
        const champion = sources.models.champion(type);
        if (champion) this.set({ type, version: champion.manifest.version }, 1);
      }
    },
  });
  new Gauge({
    name: 'vigil_spool_backlog_events',
    help: 'Events answered while the feature store was away and not yet applied to it',
    registers: [registry],
    collect() {
      this.set(sources.spoolBacklog());
    },
  });

  // Zero the label sets that are known in advance, so rates exist before the first occurrence.
  for (const reason of ['deadline', 'unavailable']) featureStoreErrors.inc({ reason }, 0);

  const observer: ScoringObserver = {
    decision(type: ScoredEventType, decision: Decision) {
      decisions.inc({ type, decision });
    },
    featureStoreError(reason: string) {
      featureStoreErrors.inc({ reason });
    },
    shadow(type: ScoredEventType, version: string, score: number) {
      shadowScores.inc({ type, version });
      shadowScoreValues.observe({ type }, score);
    },
  };
  return { registry, observer };
}
