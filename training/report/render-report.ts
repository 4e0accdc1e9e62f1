import { escapeHtml } from './escape-html';
import type { ReportData } from './report-data';
import { calibrationFigure, importanceFigure, prFigure, rocFigure, scoreDistributionFigure } from './report-plots';
import { REPORT_CSS } from './report-styles';
import { calibrationTable, headerSection, metricsSection, scenariosSection, thresholdsSection, thresholdTableSection } from './report-tables';

/** In-page links to every section, so a long report can be read out of order. */
const CONTENTS: [string, string][] = [
  ['metrics', 'Metrics'],
  ['thresholds', 'Thresholds'],
  ['curves', 'PR and ROC'],
  ['score-distribution', 'Scores'],
  ['calibration', 'Calibration'],
  ['importance', 'Importance'],
  ['threshold-table', 'Threshold table'],
  ['scenarios', 'Scenarios'],
];

/** A section of figures (or a figure and its table), two to a row when they fit. */
function chartSection(id: string, title: string, ...parts: string[]): string {
  const content = parts.filter((p) => p !== '');
  const body = content.length > 1 ? `<div class="charts">\n${content.join('\n')}\n</div>` : content.join('\n');
  return [`<section id="${id}">`, `<h2>${escapeHtml(title)}</h2>`, body, '</section>'].join('\n');
}

/**
 * `report.html` for one trained model: a single self-contained page (inline CSS, charts as inline SVG, no scripts
 * or network) that opens in any browser and prints. Every string taken from the data is escaped.
 */
export function renderReport(data: ReportData): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(`Vigil model report: ${data.version} (${data.type}, ${data.algorithm})`)}</title>`,
    `<style>${REPORT_CSS}</style>`,
    '</head>',
    '<body>',
    headerSection(data, `<nav>${CONTENTS.map(([id, name]) => `<a href="#${id}">${name}</a>`).join('')}</nav>`),
    '<main>',
    metricsSection(data),
    thresholdsSection(data),
    chartSection('curves', 'Precision–recall and ROC curves (test period)', prFigure(data), rocFigure(data)),
    chartSection('score-distribution', 'Score distribution', scoreDistributionFigure(data)),
    chartSection('calibration', 'Calibration', calibrationFigure(data), calibrationTable(data)),
    chartSection('importance', 'Feature importance', importanceFigure(data)),
    thresholdTableSection(data),
    scenariosSection(data),
    '</main>',
    `<footer>Written by <code>vigil train</code>. Hover a chart's bars and dots for exact values.</footer>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
