import { renderReport } from '../../../training/report/render-report';
import type { ReportData } from '../../../training/report/report-data';
import { HOSTILE_NAME, sampleReportData } from './sample-report-data';

const data = sampleReportData();
const html = renderReport(data);

/** The markup of the element with this id, up to its closing tag (figures and sections do not nest in themselves). */
function element(source: string, id: string): string {
  const match = new RegExp(`<(figure|section|h2)[^>]* id="${id}"[^>]*>[\\s\\S]*?</\\1>`).exec(source);
  if (!match) throw new Error(`no element with id ${id}`);
  return match[0];
}

/** The coordinate pairs of an SVG path's "M x,y L x,y …" data. */
function pathPoints(svg: string, className: string): [number, number][] {
  const d = new RegExp(`<path class="${className}" d="([^"]*)"`).exec(svg)?.[1];
  if (d === undefined) throw new Error(`no path of class ${className}`);
  return d.split(' ').map((command) => command.slice(1).split(',').map(Number) as [number, number]);
}

/** The x position of each x-axis tick label, by its text. */
function xTicks(svg: string): Map<string, number> {
  const axis = /<g class="axis x-axis">[\s\S]*?<\/g>/.exec(svg)?.[0] ?? '';
  return new Map([...axis.matchAll(/<text x="([\d.]+)"[^>]*>([^<]+)<\/text>/g)].map((m) => [m[2] as string, Number(m[1])]));
}

function tileValue(source: string, metric: string): string | undefined {
  return new RegExp(`data-metric="${metric}"><div class="value">([^<]*)</div>`).exec(source)?.[1];
}

describe('renderReport', () => {
  it('is one self-contained page: no scripts, external resources or stylesheets to fetch', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/\b(src|href)\s*=\s*["']?\s*(https?:)?\/\//i);
    expect(html).not.toMatch(/<link|@import|url\(/i);
    // In-page links only.
    for (const [, href] of html.matchAll(/href="([^"]*)"/g)) expect(href).toMatch(/^#[a-z-]+$/);
  });

  it('has every section, each chart as an inline SVG', () => {
    for (const id of ['candidates', 'metrics', 'thresholds', 'curves', 'score-distribution', 'calibration', 'importance', 'threshold-table', 'scenarios']) {
      expect(html).toContain(`id="${id}"`);
    }
    for (const id of ['pr-curve', 'roc-curve', 'score-histogram', 'calibration-curve', 'feature-importance']) {
      expect(element(html, id)).toMatch(/<svg [^>]*viewBox="0 0 \d+ \d+"/);
    }
    expect(html.match(/<svg /g)).toHaveLength(5);
  });

  it('shows the header: version, event type, algorithm, date ranges and every candidate with its validation AP', () => {
    const header = /<header>[\s\S]*<\/header>/.exec(html)?.[0] ?? '';
    for (const text of ['withdrawal-gbdt-20240308T120000Z', 'withdrawal', '2024-02-01..2024-02-28', '2024-02-23..2024-02-28', '2024-03-01..2024-03-07', 'isotonic']) {
      expect(header).toContain(text);
    }
    const rows = header.match(/<tr( class="chosen")?><td>[\s\S]*?<\/tr>/g) ?? [];
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(/class="chosen"><td>gbdt <span class="tag">chosen<\/span><\/td><td class="num">0\.6123<\/td><td>isotonic<\/td>/);
    expect(rows[0]).toContain('bestIteration <b>287</b>');
    expect(rows[0]).toContain('seconds <b>41.37</b>');
    expect(rows[1]).toMatch(/<td>mlp<\/td><td class="num">0\.5487<\/td><td>platt<\/td>/);
    expect(rows[1]).toContain('backend <b>tensorflow</b>');
  });

  it('shows each test metric', () => {
    const m = data.metrics;
    expect(tileValue(html, 'rocAuc')).toBe(m.rocAuc!.toFixed(4));
    expect(tileValue(html, 'averagePrecision')).toBe(m.averagePrecision!.toFixed(4));
    expect(tileValue(html, 'cardPrecisionAt100')).toBe(m.cardPrecisionAt100!.toFixed(4));
    expect(tileValue(html, 'recallAtFpr.0.001')).toBe(`${(m.recallAtFpr['0.001']! * 100).toFixed(2)} %`);
    expect(tileValue(html, 'recallAtFpr.0.01')).toBe(`${(m.recallAtFpr['0.01']! * 100).toFixed(2)} %`);
    expect(tileValue(html, 'brier')).toBe(m.brier!.toFixed(4));
    expect(tileValue(html, 'logLoss')).toBe(m.logLoss!.toFixed(4));
    // Thousands are separated by thin spaces.
    expect(tileValue(html, 'n')).toBe('20\u2009000');
    expect(tileValue(html, 'positives')).toBe(String(m.positives));
    expect(tileValue(html, 'fraudRate')).toBe(`${((m.positives / m.n) * 100).toFixed(2)} %`);
    expect(html).not.toMatch(/NaN|undefined|Infinity|null/);
  });

  it('shows "n/a" for metrics that are null', () => {
    const metrics = { ...data.metrics, rocAuc: null, averagePrecision: null, cardPrecisionAt100: null, recallAtFpr: { '0.001': null, '0.01': null }, brier: null, logLoss: null };
    const page = renderReport({ ...data, metrics });
    for (const key of ['rocAuc', 'averagePrecision', 'cardPrecisionAt100', 'recallAtFpr.0.001', 'recallAtFpr.0.01', 'brier', 'logLoss']) {
      expect(tileValue(page, key)).toBe('n/a');
    }
    expect(page).not.toMatch(/NaN|null/);
  });

  it('shows each decision threshold with what it flags on the test period', () => {
    const section = element(html, 'thresholds');
    // The fixture sets step_up and hold to flag 2 % and 0.5 % of its continuous scores: 400 and 100 of 20 000.
    expect(section).toMatch(/step_up<\/span> ask for more verification<\/td><td class="num">≥ 0\.0\d+<\/td><td class="num">2\.000 %<\/td>/);
    expect(section).toMatch(/hold<\/span> freeze pending review<\/td><td class="num">≥ 0\.\d+<\/td><td class="num">0\.500 %<\/td>/);
    expect(section).not.toContain('block');
  });

  it('draws the PR curve through every point of the data, in the axes\' coordinates', () => {
    const figure = element(html, 'pr-curve');
    const points = pathPoints(figure, 'pr-curve');
    expect(points).toHaveLength(data.pr.length);
    const ticks = xTicks(figure);
    // The curve starts at recall 0 (the "0.0" tick) and ends at recall 1 (the "1.0" tick), recall never falling.
    expect(points[0]![0]).toBe(ticks.get('0.0'));
    expect(points[points.length - 1]![0]).toBe(ticks.get('1.0'));
    for (let i = 1; i < points.length; i++) expect(points[i]![0]).toBeGreaterThanOrEqual(points[i - 1]![0]);
    // The no-skill baseline sits at the fraud rate, and is in the legend.
    expect(figure).toContain(`No skill (fraud rate ${((data.metrics.positives / data.metrics.n) * 100).toFixed(2)} %)`);
    expect(pathPoints(element(html, 'roc-curve'), 'roc-curve')).toHaveLength(data.roc.length);
  });

  it('marks the decision thresholds where they sit on the PR curve, and on the histogram', () => {
    const figure = element(html, 'pr-curve');
    const ticks = xTicks(figure);
    const [x0, x1] = [ticks.get('0.0')!, ticks.get('1.0')!];
    const markers = [...figure.matchAll(/<circle class="marker" cx="([\d.]+)" cy="[\d.]+" r="6" fill="[^"]+"><title>(\w+) \(score ≥ [\d.]+\)<\/title>/g)];
    expect(markers.map((m) => m[2])).toEqual(['step_up', 'hold']);
    for (const [, cx, decision] of markers) {
      const row = data.thresholdTable.find((r) => r.threshold === data.thresholds[decision as 'step_up' | 'hold'])!;
      expect(Number(cx)).toBeCloseTo(x0 + row.recall * (x1 - x0), 0);
    }
    expect(element(html, 'roc-curve').match(/<circle class="marker" [^>]*><title>/g)).toHaveLength(2);
    expect(element(html, 'score-histogram').match(/<line class="reference"/g)).toHaveLength(2);
  });

  it('draws the score histogram with log-scaled bar heights, one bar per non-empty bin and class', () => {
    const figure = element(html, 'score-histogram');
    const bars = [...figure.matchAll(/<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="([\d.]+)" fill="[^"]+"><title>(Legit|Fraud), scores [^:]+: (\d+)<\/title>/g)];
    const nonEmpty = (counts: number[]) => counts.filter((c) => c > 0).length;
    expect(bars.filter((b) => b[2] === 'Legit')).toHaveLength(nonEmpty(data.histogram.legit));
    expect(bars.filter((b) => b[2] === 'Fraud')).toHaveLength(nonEmpty(data.histogram.fraud));
    // Bars rise from ½ on a log axis: height ∝ log10(count / 0.5).
    const heightOf = (count: number) => Number(bars.find((b) => Number(b[3]) === count)?.[1]);
    const biggest = Math.max(...data.histogram.legit);
    expect(heightOf(biggest) / heightOf(1)).toBeCloseTo(Math.log10(biggest / 0.5) / Math.log10(1 / 0.5), 1);
    expect(figure).toMatch(/<text[^>]*>1k<\/text>/);
    expect(figure).toContain('Events (log scale)');
  });

  it('draws the calibration curve with one dot per bin, its count in the tooltip', () => {
    const figure = element(html, 'calibration-curve');
    expect(pathPoints(figure, 'calibration-curve')).toHaveLength(data.calibrationCurve.length);
    const titles = [...figure.matchAll(/<circle [^>]*><title>scores [\d.–]+: (\d+) events/g)].map((m) => Number(m[1]));
    expect(titles).toEqual(data.calibrationCurve.map((b) => b.count));
    expect(figure).toContain('Perfectly calibrated');
  });

  it('shows the 25 most important features, largest first', () => {
    const figure = element(html, 'feature-importance');
    const labels = [...figure.matchAll(/<text [^>]*text-anchor="end">([^<]+)<\/text><\/g>/g)].map((m) => m[1]);
    expect(labels).toEqual(data.importance.slice(0, 25).map((f) => f.name));
    expect(figure).not.toContain(data.importance[25]!.name);
    expect(figure).toContain('Total gain');
  });

  it('shortens a very long feature name, keeping it whole in the tooltip', () => {
    const name = `user_${'very_'.repeat(15)}long_feature_name_30d`;
    const page = renderReport({ ...data, importance: [{ name, value: 3 }, ...data.importance] });
    const figure = element(page, 'feature-importance');
    expect(figure).toContain(`<title>${name}: 3</title>`);
    expect(figure).toContain(`>${name.slice(0, 43)}…</text>`);
  });

  it('escapes every string it interpolates', () => {
    const hostile = sampleReportData({ hostileFeature: true });
    const page = renderReport({
      ...hostile,
      version: '"><img src=x onerror=alert(1)>',
      candidates: [{ algorithm: 'gbdt', validationAp: 0.5, fit: { '<b>key</b>': '</td><script>' }, calibration: '<i>platt</i>' }],
      perScenario: { '<em>scenario</em>': hostile.perScenario['sim_swap']! },
    });
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(page).toContain('&lt;b&gt;key&lt;/b&gt;');
    expect(page).toContain('&lt;em&gt;scenario&lt;/em&gt;');
    expect(page).not.toMatch(/<script|<img|<b>key|<i>platt|<em>/);
  });

  it('shows recall per scenario at the step-up and hold thresholds', () => {
    const section = element(html, 'scenarios');
    expect(section).toContain('Recall at step_up');
    expect(section).toContain('Recall at hold');
    expect(section).not.toContain('Recall at block');
    for (const [name, r] of Object.entries(data.perScenario)) {
      expect(section).toContain(`<td>${name}</td><td class="num">${r.stepUp.n}</td>`);
      expect(section).toContain(`${(r.stepUp.recall * 100).toFixed(1)} % <small>(${r.stepUp.caught}/${r.stepUp.n})</small>`);
      expect(section).toContain(`${(r.hold!.recall * 100).toFixed(1)} % <small>(${r.hold!.caught}/${r.hold!.n})</small>`);
    }
    const without = element(renderReport({ ...data, perScenario: {} }), 'scenarios');
    expect(without).toContain('without a truth file');
    expect(without).not.toContain('<table');
  });

  it('lists every row of the threshold table, tagging the model\'s thresholds', () => {
    const section = element(html, 'threshold-table');
    expect(section.match(/<tr( class="chosen")?><td class="num">/g)).toHaveLength(data.thresholdTable.length);
    expect(section.match(/<tr class="chosen">/g)).toHaveLength(2);
    expect(section).toMatch(/<td class="num">0\.9<\/td><td class="num">\d+<\/td>/);
  });

  it('explains charts it cannot draw instead of drawing NaN (a test period without fraud)', () => {
    const noFraud: ReportData = { ...data, roc: [], pr: [], metrics: { ...data.metrics, positives: 0, rocAuc: null, averagePrecision: null } };
    const page = renderReport(noFraud);
    expect(element(page, 'pr-curve')).toContain('Not available: the test period has no fraud.');
    expect(element(page, 'roc-curve')).toContain('Not available');
    expect(page).not.toMatch(/NaN/);
  });
});
