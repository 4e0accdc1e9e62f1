import { escapeHtml } from './escape-html';
import { formatPercent, formatThreshold } from './format-values';
import type { ReportData } from './report-data';
import { barChart, histogramChart, lineChart, type PointMarker } from './svg-charts';

/** Colours: blue and orange for the two classes tell apart for most colour-blind readers too. */
export const COLORS = {
  model: '#1c5d99',
  reference: '#868e96',
  legit: '#4c78a8',
  fraud: '#f58518',
  step_up: '#7048e8',
  hold: '#c2255c',
  block: '#212529',
} as const;

/** Features the importance chart shows: enough to see what drives the model, few enough to read. */
export const TOP_FEATURES = 25;

/** A decision threshold of the model with what it does on the test period. */
interface DecisionPoint {
  decision: 'step_up' | 'hold' | 'block';
  threshold: number;
  /** Share of legit events flagged, fraud recall and precision at the threshold; NaN where undefined (nothing flagged). */
  fpr: number;
  recall: number;
  precision: number;
}

/**
 * Where each decision threshold sits on the test curves. The threshold table has a row at every decision threshold
 * (report-data.ts adds them), so the points are exact rather than the nearest point of a thinned curve.
 */
function decisionPoints(data: ReportData): DecisionPoint[] {
  const legit = data.metrics.n - data.metrics.positives;
  const points: DecisionPoint[] = [];
  for (const decision of ['step_up', 'hold', 'block'] as const) {
    const threshold = data.thresholds[decision];
    const row = data.thresholdTable.find((r) => r.threshold === threshold);
    if (threshold === undefined || !row) continue;
    points.push({ decision, threshold, fpr: (row.flagged - row.caught) / legit, recall: row.recall, precision: row.precision });
  }
  return points;
}

const markerLabel = (p: DecisionPoint): string => `${p.decision} (score ≥ ${formatThreshold(p.threshold)})`;

function markers(data: ReportData, x: (p: DecisionPoint) => number, y: (p: DecisionPoint) => number): PointMarker[] {
  return decisionPoints(data)
    .filter((p) => Number.isFinite(x(p)) && Number.isFinite(y(p)))
    .map((p) => ({ x: x(p), y: y(p), label: markerLabel(p), color: COLORS[p.decision] }));
}

function figure(id: string, caption: string, content: string): string {
  return `<figure id="${id}">\n<figcaption>${escapeHtml(caption)}</figcaption>\n${content}\n</figure>`;
}

const note = (text: string): string => `<p class="note">${escapeHtml(text)}</p>`;

/** Precision–recall curve of the test period, with the no-skill baseline (precision = fraud rate) and the thresholds. */
export function prFigure(data: ReportData): string {
  if (data.pr.length === 0) return figure('pr-curve', 'Precision–recall curve', note('Not available: the test period has no fraud.'));
  const rate = data.metrics.positives / data.metrics.n;
  const svg = lineChart({
    label: 'Precision–recall curve of the test period',
    xLabel: 'Recall (share of fraud flagged)',
    yLabel: 'Precision',
    series: [
      { label: 'Model', points: data.pr.map((p) => ({ x: p.recall, y: p.precision })), color: COLORS.model, className: 'pr-curve' },
      { label: `No skill (fraud rate ${formatPercent(rate)})`, points: [{ x: 0, y: rate }, { x: 1, y: rate }], color: COLORS.reference, dashed: true },
    ],
    markers: markers(data, (p) => p.recall, (p) => p.precision),
  });
  return figure('pr-curve', 'Precision–recall curve', svg);
}

/** ROC curve of the test period, with the chance diagonal and the thresholds. */
export function rocFigure(data: ReportData): string {
  if (data.roc.length === 0) return figure('roc-curve', 'ROC curve', note('Not available: the test period lacks fraud or legit events.'));
  const svg = lineChart({
    label: 'ROC curve of the test period',
    xLabel: 'False-positive rate (share of legit flagged)',
    yLabel: 'True-positive rate (recall)',
    series: [
      { label: 'Model', points: data.roc.map((p) => ({ x: p.fpr, y: p.tpr })), color: COLORS.model, className: 'roc-curve' },
      { label: 'Chance', points: [{ x: 0, y: 0 }, { x: 1, y: 1 }], color: COLORS.reference, dashed: true },
    ],
    markers: markers(data, (p) => p.fpr, (p) => p.recall),
  });
  return figure('roc-curve', 'ROC curve', svg);
}

/** Test scores by class, counts on a log scale, with the thresholds as vertical lines. */
export function scoreDistributionFigure(data: ReportData): string {
  const svg = histogramChart({
    label: 'Score distribution of the test period by class',
    xLabel: 'Calibrated fraud probability',
    yLabel: 'Events (log scale)',
    edges: data.histogram.edges,
    series: [
      { label: 'Legit', color: COLORS.legit, counts: data.histogram.legit },
      { label: 'Fraud', color: COLORS.fraud, counts: data.histogram.fraud },
    ],
    lines: decisionPoints(data).map((p) => ({ x: p.threshold, label: markerLabel(p), color: COLORS[p.decision] })),
  });
  return figure('score-histogram', 'Score distribution by class (log-scaled counts)', svg);
}

/** Reliability diagram: mean predicted probability against observed fraud rate per bin, bin sizes as tooltips. */
export function calibrationFigure(data: ReportData): string {
  const bins = data.calibrationCurve;
  if (bins.length === 0) return figure('calibration-curve', 'Calibration curve', note('Not available: the test period has no events.'));
  const svg = lineChart({
    label: 'Calibration curve of the test period',
    xLabel: 'Mean predicted probability',
    yLabel: 'Observed fraud rate',
    series: [
      {
        label: 'Model (hover a dot for its bin)',
        points: bins.map((b) => ({ x: b.meanPredicted, y: b.observedRate })),
        color: COLORS.model,
        className: 'calibration-curve',
        pointTitles: bins.map(
          (b) => `scores ${b.lower.toFixed(1)}–${b.upper.toFixed(1)}: ${b.count} events, mean predicted ${b.meanPredicted.toFixed(4)}, observed ${b.observedRate.toFixed(4)}`,
        ),
      },
      { label: 'Perfectly calibrated', points: [{ x: 0, y: 0 }, { x: 1, y: 1 }], color: COLORS.reference, dashed: true },
    ],
  });
  return figure('calibration-curve', 'Calibration curve', svg);
}

/** The {@link TOP_FEATURES} most important features as horizontal bars, largest on top. */
export function importanceFigure(data: ReportData): string {
  const caption = `Feature importance (${data.importanceKind === 'gain' ? 'total split gain' : 'permutation importance: drop in average precision'}), top ${TOP_FEATURES}`;
  if (data.importance.length === 0) return figure('feature-importance', caption, note('Not available: no importances were computed.'));
  const svg = barChart({
    label: caption,
    valueLabel: data.importanceKind === 'gain' ? 'Total gain' : 'Drop in average precision when shuffled',
    bars: data.importance.slice(0, TOP_FEATURES).map((f) => ({ label: f.name, value: f.value })),
    color: COLORS.model,
  });
  return figure('feature-importance', caption, svg);
}
