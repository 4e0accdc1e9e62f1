import { escapeHtml } from './escape-html';
import { formatCount, formatDecimal, formatPercent, formatThreshold, NOT_AVAILABLE } from './format-values';
import type { ReportData } from './report-data';
import type { GroupRecall } from '../metrics/per-group-recall';

const DECISIONS = ['step_up', 'hold', 'block'] as const;

/** What each decision does, for readers who do not know the policy by heart. */
const DECISION_MEANING: Record<(typeof DECISIONS)[number], string> = {
  step_up: 'ask for more verification',
  hold: 'freeze pending review',
  block: 'refuse outright',
};

/** A fit-info value as text: numbers to four significant digits (seconds need no more), anything else as JSON. */
function formatFitValue(value: unknown): string {
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4)));
  return typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
}

function fitInfo(fit: Record<string, unknown>): string {
  const entries = Object.entries(fit);
  if (entries.length === 0) return NOT_AVAILABLE;
  return entries.map(([key, value]) => `<span class="fit">${escapeHtml(key)} <b>${escapeHtml(formatFitValue(value))}</b></span>`).join(' ');
}

/** Title, links to the sections, what was trained on which days, and every candidate compared on validation AP. */
export function headerSection(data: ReportData, nav: string): string {
  const chosen = data.candidates.find((c) => c.algorithm === data.algorithm);
  const facts: [string, string][] = [
    ['Event type', data.type],
    ['Algorithm', data.algorithm],
    ['Calibration', chosen?.calibration ?? NOT_AVAILABLE],
    ['Training days', data.ranges.train],
    ['Validation days (end of training)', `${data.ranges.validationFrom}..${data.ranges.train.split('..')[1] ?? ''}`],
    ['Test days', data.ranges.test],
  ];
  const rows = data.candidates.map(
    (c) =>
      `<tr${c === chosen ? ' class="chosen"' : ''}><td>${escapeHtml(c.algorithm)}${c === chosen ? ' <span class="tag">chosen</span>' : ''}</td>` +
      `<td class="num">${formatDecimal(c.validationAp)}</td><td>${escapeHtml(c.calibration)}</td><td>${fitInfo(c.fit)}</td></tr>`,
  );
  return [
    '<header>',
    `<h1>Model report <span class="version">${escapeHtml(data.version)}</span></h1>`,
    nav,
    '<dl class="facts">',
    ...facts.map(([k, v]) => `<div><dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd></div>`),
    '</dl>',
    '<h2 id="candidates">Candidates</h2>',
    '<table><thead><tr><th>Algorithm</th><th class="num">Validation AP</th><th>Calibration</th><th>Fit</th></tr></thead>',
    `<tbody>${rows.join('\n')}</tbody></table>`,
    '</header>',
  ].join('\n');
}

/** The metrics.json figures of the test period as tiles; undefined ones read "n/a". */
export function metricsSection(data: ReportData): string {
  const m = data.metrics;
  const tiles: [string, string, string][] = [
    ['ROC AUC', formatDecimal(m.rocAuc), 'rocAuc'],
    ['Average precision', formatDecimal(m.averagePrecision), 'averagePrecision'],
    ['Card precision@100', formatDecimal(m.cardPrecisionAt100), 'cardPrecisionAt100'],
    ['Recall at 0.1 % FPR', formatPercent(m.recallAtFpr['0.001'] ?? null), 'recallAtFpr.0.001'],
    ['Recall at 1 % FPR', formatPercent(m.recallAtFpr['0.01'] ?? null), 'recallAtFpr.0.01'],
    ['Brier score', formatDecimal(m.brier), 'brier'],
    ['Log-loss', formatDecimal(m.logLoss), 'logLoss'],
    ['Events (n)', formatCount(m.n), 'n'],
    ['Frauds (positives)', formatCount(m.positives), 'positives'],
    ['Fraud rate', formatPercent(m.n === 0 ? null : m.positives / m.n), 'fraudRate'],
  ];
  return [
    '<section id="metrics">',
    '<h2>Test metrics</h2>',
    '<div class="tiles">',
    ...tiles.map(([name, value, key]) => `<div class="tile" data-metric="${key}"><div class="value">${escapeHtml(value)}</div><div class="name">${escapeHtml(name)}</div></div>`),
    '</div>',
    '</section>',
  ].join('\n');
}

/** The model's decision thresholds and what each does on the test period. */
export function thresholdsSection(data: ReportData): string {
  const rows = DECISIONS.flatMap((decision) => {
    const threshold = data.thresholds[decision];
    if (threshold === undefined) return [];
    const row = data.thresholdTable.find((r) => r.threshold === threshold);
    return [
      `<tr><td><span class="decision ${decision}">${decision}</span> ${DECISION_MEANING[decision]}</td><td class="num">≥ ${formatThreshold(threshold)}</td>` +
        `<td class="num">${row ? formatPercent(row.flaggedRate, 3) : NOT_AVAILABLE}</td><td class="num">${row ? formatPercent(row.recall) : NOT_AVAILABLE}</td>` +
        `<td class="num">${row ? formatPercent(row.precision) : NOT_AVAILABLE}</td></tr>`,
    ];
  });
  return [
    '<section id="thresholds">',
    '<h2>Decision thresholds</h2>',
    '<p>Set on validation scores; the shares below are what each threshold does on the test period (scores at or above it are flagged).</p>',
    '<table><thead><tr><th>Decision</th><th class="num">Score</th><th class="num">Share flagged</th><th class="num">Fraud caught</th><th class="num">Precision</th></tr></thead>',
    `<tbody>${rows.join('\n')}</tbody></table>`,
    '</section>',
  ].join('\n');
}

/** Every threshold of the threshold table; the model's own thresholds are tagged with their decision. */
export function thresholdTableSection(data: ReportData): string {
  const rows = data.thresholdTable.map((r) => {
    const tags = DECISIONS.filter((d) => data.thresholds[d] === r.threshold).map((d) => ` <span class="decision ${d}">${d}</span>`);
    return (
      `<tr${tags.length > 0 ? ' class="chosen"' : ''}><td class="num">${formatThreshold(r.threshold)}${tags.join('')}</td>` +
      `<td class="num">${formatCount(r.flagged)}</td><td class="num">${formatPercent(r.flaggedRate, 3)}</td>` +
      `<td class="num">${formatCount(r.caught)}</td><td class="num">${formatPercent(r.recall)}</td><td class="num">${formatPercent(r.precision)}</td></tr>`
    );
  });
  return [
    '<section id="threshold-table">',
    '<h2>Threshold table</h2>',
    '<table><thead><tr><th class="num">Score ≥</th><th class="num">Flagged</th><th class="num">Share flagged</th><th class="num">Fraud caught</th><th class="num">Recall</th><th class="num">Precision</th></tr></thead>',
    `<tbody>${rows.join('\n')}</tbody></table>`,
    '</section>',
  ].join('\n');
}

/** A recall as text plus a bar, so weak scenarios stand out when scanning the column. */
function recallCell(r: GroupRecall | undefined): string {
  if (!r) return `<td class="num">${NOT_AVAILABLE}</td>`;
  const width = (r.recall * 100).toFixed(1);
  return `<td class="num"><span class="meter"><span style="width:${width}%"></span></span> ${formatPercent(r.recall, 1)} <small>(${formatCount(r.caught)}/${formatCount(r.n)})</small></td>`;
}

/** Recall of each generator scenario at the step-up threshold and at hold and/or block, when a truth file was given. */
export function scenariosSection(data: ReportData): string {
  const scenarios = Object.entries(data.perScenario);
  const head = ['<section id="scenarios">', '<h2>Recall per fraud scenario</h2>'];
  if (scenarios.length === 0) return [...head, '<p class="note">Not available: training ran without a truth file (scenario of each event).</p>', '</section>'].join('\n');
  const columns = (['stepUp', 'hold', 'block'] as const).filter((k) => scenarios.some(([, r]) => r[k] !== undefined));
  const columnTitle = { stepUp: 'step_up', hold: 'hold', block: 'block' } as const;
  const rows = scenarios.map(([name, r]) => `<tr><td>${escapeHtml(name)}</td><td class="num">${formatCount(r.stepUp.n)}</td>${columns.map((k) => recallCell(r[k])).join('')}</tr>`);
  return [
    ...head,
    '<table><thead><tr><th>Scenario</th><th class="num">Fraud events</th>',
    ...columns.map((k) => `<th class="num">Recall at ${columnTitle[k]} (≥ ${formatThreshold(data.thresholds[columnTitle[k]] ?? Number.NaN)})</th>`),
    '</tr></thead>',
    `<tbody>${rows.join('\n')}</tbody></table>`,
    '</section>',
  ].join('\n');
}

/**
 * The calibration bins as numbers: their counts are what tell a real miscalibration from a handful of events, and a
 * printed page has no tooltips.
 */
export function calibrationTable(data: ReportData): string {
  if (data.calibrationCurve.length === 0) return '';
  const rows = data.calibrationCurve.map(
    (b) =>
      `<tr><td class="num">${b.lower.toFixed(1)}–${b.upper.toFixed(1)}</td><td class="num">${formatCount(b.count)}</td>` +
      `<td class="num">${formatDecimal(b.meanPredicted)}</td><td class="num">${formatDecimal(b.observedRate)}</td></tr>`,
  );
  return [
    '<table class="calibration-bins"><thead><tr><th class="num">Score bin</th><th class="num">Events</th><th class="num">Mean predicted</th><th class="num">Observed rate</th></tr></thead>',
    `<tbody>${rows.join('\n')}</tbody></table>`,
  ].join('\n');
}
