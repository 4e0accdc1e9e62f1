import type { ScoredEventType } from '../../features/definitions';
import type { Thresholds } from '../../models/manifest';
import { calibrationCurve, type CalibrationBin } from '../metrics/calibration-curve';
import { prCurve, rocCurve, type PrPoint, type RocPoint } from '../metrics/curves';
import type { EvaluationMetrics } from '../metrics/evaluate';
import { perGroupRecall, type GroupRecall } from '../metrics/per-group-recall';
import { thresholdTable, type ThresholdRow } from '../metrics/thresholds';

/** Everything `report.html` shows, computed once; rendering (render-report.ts) only formats it. */
export interface ReportData {
  version: string;
  type: ScoredEventType;
  algorithm: string;
  ranges: { train: string; validationFrom: string; test: string };
  metrics: EvaluationMetrics;
  thresholds: Thresholds;
  candidates: { algorithm: string; validationAp: number; fit: Record<string, unknown>; calibration: string }[];
  roc: RocPoint[];
  pr: PrPoint[];
  calibrationCurve: CalibrationBin[];
  /** Score histograms of the test period: 50 equal-width bins over [0, 1], counts per class. */
  histogram: { edges: number[]; legit: number[]; fraud: number[] };
  /** Features by importance, largest first (gain for trees, permutation importance for networks). */
  importance: { name: string; value: number }[];
  importanceKind: 'gain' | 'permutation';
  thresholdTable: ThresholdRow[];
  /** Recall of each generator scenario at the step-up and hold (or block) thresholds; empty without a truth file. */
  perScenario: Record<string, { stepUp: GroupRecall; hold?: GroupRecall; block?: GroupRecall }>;
}

export interface ReportInput {
  version: string;
  type: ScoredEventType;
  algorithm: string;
  featureNames: readonly string[];
  importance: Float64Array;
  test: { scores: Float64Array; labels: Uint8Array; eventIds: readonly string[] };
  validation: { scores: Float64Array; labels: Uint8Array };
  thresholds: Thresholds;
  truth: Map<string, string> | undefined;
  metrics: EvaluationMetrics;
  candidates: ReportData['candidates'];
  ranges: ReportData['ranges'];
}

const TABLE_THRESHOLDS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9];

export function buildReportData(input: ReportInput): ReportData {
  const { scores, labels } = input.test;
  const bins = 50;
  const legit = new Array<number>(bins).fill(0);
  const fraud = new Array<number>(bins).fill(0);
  scores.forEach((s, i) => {
    const b = Math.min(bins - 1, Math.floor(s * bins));
    (labels[i] ? fraud : legit)[b]! += 1;
  });
  const perScenario: ReportData['perScenario'] = {};
  if (input.truth) {
    const groups = input.test.eventIds.map((id) => input.truth?.get(id) ?? '');
    const stepUp = perGroupRecall(scores, groups, input.thresholds.step_up);
    const hold = input.thresholds.hold === undefined ? undefined : perGroupRecall(scores, groups, input.thresholds.hold);
    const block = input.thresholds.block === undefined ? undefined : perGroupRecall(scores, groups, input.thresholds.block);
    for (const [scenario, r] of Object.entries(stepUp)) perScenario[scenario] = { stepUp: r, hold: hold?.[scenario], block: block?.[scenario] };
  }
  const cuts = [...new Set([...TABLE_THRESHOLDS, input.thresholds.step_up, input.thresholds.hold ?? 1, input.thresholds.block ?? 1])].sort((a, b) => a - b);
  return {
    version: input.version,
    type: input.type,
    algorithm: input.algorithm,
    ranges: input.ranges,
    metrics: input.metrics,
    thresholds: input.thresholds,
    candidates: input.candidates,
    roc: rocCurve(scores, labels),
    pr: prCurve(scores, labels),
    calibrationCurve: calibrationCurve(scores, labels, 10),
    histogram: { edges: Array.from({ length: bins + 1 }, (_, i) => i / bins), legit, fraud },
    importance: input.featureNames
      .map((name, i) => ({ name, value: input.importance[i] as number }))
      .sort((a, b) => b.value - a.value),
    importanceKind: input.algorithm === 'gbdt' ? 'gain' : 'permutation',
    thresholdTable: thresholdTable(scores, labels, cuts),
    perScenario,
  };
}
