import { featureNames } from '../../../features/definitions';
import { evaluate } from '../../../training/metrics/evaluate';
import { thresholdForRate } from '../../../training/metrics/thresholds';
import { buildReportData, type ReportData } from '../../../training/report/report-data';
import { seededRandom } from '../calibration/seeded-random';

/** A feature name that would run script if the report forgot to escape it. */
export const HOSTILE_NAME = '<script>alert(1)</script>';

const SCENARIOS = ['credential_stuffing', 'impossible_travel', 'mule_address', 'phishing_drain', 'sim_swap'];

export interface SampleOptions {
  /** Test events. @defaultValue 20000 */
  events?: number;
  /** Gives the hostile name to the most important feature. @defaultValue false */
  hostileFeature?: boolean;
}

/**
 * ReportData as `vigil train` computes it (through `buildReportData` and `evaluate`), from seeded synthetic scores
 * of a withdrawal model: about 1 % fraud over seven test days, calibrated scores with overlapping classes, scenario
 * labels for every fraud, the real withdrawal feature names, and thresholds flagging 2 % (step_up) and
 * 0.5 % (hold) of the events.
 */
export function sampleReportData(options: SampleOptions = {}): ReportData {
  const n = options.events ?? 20000;
  const random = seededRandom(7);
  const scores = new Float64Array(n);
  const labels = new Uint8Array(n);
  const eventIds: string[] = [];
  const userIds: string[] = [];
  const days: string[] = [];
  const truth = new Map<string, string>();
  for (let i = 0; i < n; i++) {
    // Most events are ordinary (log-odds around −7), a few risky (around +1); the label is then drawn with the score
    // as its probability, so the scores are calibrated by construction, as a trained model's should be.
    const margin = random.float() < 0.015 ? 1 + 2 * random.normal() : -7 + 1.5 * random.normal();
    scores[i] = 1 / (1 + Math.exp(-margin));
    const fraud = random.float() < scores[i]!;
    labels[i] = fraud ? 1 : 0;
    eventIds.push(`evt-${i}`);
    userIds.push(`user-${Math.floor(random.float() * (n / 8))}`);
    days.push(`2024-03-${String(1 + (i % 7)).padStart(2, '0')}`);
    if (fraud) truth.set(`evt-${i}`, SCENARIOS[i % SCENARIOS.length] as string);
  }
  const names = featureNames('withdrawal');
  if (options.hostileFeature) names[0] = HOSTILE_NAME;
  // Importance falls off geometrically, as split gain usually does; the first name is the most important.
  const importance = Float64Array.from(names, (_, i) => 5000 * 0.82 ** i * (0.8 + 0.4 * random.float()));
  return buildReportData({
    version: 'withdrawal-gbdt-20240308T120000Z',
    type: 'withdrawal',
    algorithm: 'gbdt',
    featureNames: names,
    importance,
    test: { scores, labels, eventIds },
    validation: { scores, labels },
    thresholds: { step_up: thresholdForRate(scores, 0.02), hold: thresholdForRate(scores, 0.005) },
    truth,
    metrics: evaluate({ scores, labels, userIds, days }),
    candidates: [
      { algorithm: 'gbdt', validationAp: 0.6123, fit: { rounds: 400, bestIteration: 287, trees: 287, threads: 2, seconds: 41.372 }, calibration: 'isotonic' },
      { algorithm: 'mlp', validationAp: 0.5487, fit: { epochs: 30, bestEpoch: 22, backend: 'tensorflow', seconds: 95.81 }, calibration: 'platt' },
    ],
    ranges: { train: '2024-02-01..2024-02-28', validationFrom: '2024-02-23', test: '2024-03-01..2024-03-07' },
  });
}
