import { escapeHtml } from './escape-html';
import {
  bottomAxis,
  leftAxis,
  legend,
  legendRows,
  LEGEND_ROW,
  linePath,
  plotArea,
  px,
  svgDocument,
  textWidth,
  type Frame,
  type LegendItem,
} from './svg-elements';
import { formatCompact, linearScale, logScale } from './svg-scales';

/** One line of a line chart. */
export interface LineSeries {
  label: string;
  points: readonly { x: number; y: number }[];
  color: string;
  /** Dashed: a reference line (chance, no-skill, perfect calibration) rather than the model. */
  dashed?: boolean;
  /** CSS class of the path, so styles and tests can find one curve. */
  className?: string;
  /** A tooltip per point: draws a dot at each point with its text as `<title>` (e.g. a calibration bin's count). */
  pointTitles?: readonly string[];
}

/** A highlighted point, e.g. where a decision threshold sits on a curve; listed in the legend under `label`. */
export interface PointMarker {
  x: number;
  y: number;
  label: string;
  color: string;
}

export interface LineChartOptions {
  /** Accessible name of the chart. */
  label: string;
  xLabel: string;
  yLabel: string;
  series: readonly LineSeries[];
  markers?: readonly PointMarker[];
  /** @defaultValue [0, 1]: curves and rates. */
  xDomain?: readonly [number, number];
  /** @defaultValue [0, 1] */
  yDomain?: readonly [number, number];
}

const AXIS_SPACE = 48;

/** A frame whose bottom margin holds the x axis and then the legend, wrapped to the plot's width. */
function frameWithLegend(width: number, plotHeight: number, left: number, right: number, items: readonly LegendItem[]): Frame {
  const rows = legendRows(items, width - left - right);
  const bottom = AXIS_SPACE + rows * LEGEND_ROW + (rows > 0 ? 6 : 0);
  return { width, height: 12 + plotHeight + bottom, margin: { top: 12, right, bottom, left } };
}

function legendBelow(items: readonly LegendItem[], frame: Frame): string {
  const area = plotArea(frame);
  return legend(items, area.left, area.bottom + AXIS_SPACE + 4, area.right - area.left);
}

/** Lines on linear axes (ROC, precision–recall, calibration), with optional dots that carry tooltips. */
export function lineChart(options: LineChartOptions): string {
  const markers = options.markers ?? [];
  const items: LegendItem[] = [
    ...options.series.map((s): LegendItem => ({ label: s.label, color: s.color, swatch: s.dashed ? 'dashed' : 'line' })),
    ...markers.map((m): LegendItem => ({ label: m.label, color: m.color, swatch: 'dot' })),
  ];
  const frame = frameWithLegend(440, 300, 58, 18, items);
  const area = plotArea(frame);
  const x = linearScale(options.xDomain ?? [0, 1], [area.left, area.right]);
  const y = linearScale(options.yDomain ?? [0, 1], [area.bottom, area.top]);
  const body = [bottomAxis(x, frame, options.xLabel), leftAxis(y, frame, options.yLabel)];
  for (const s of options.series) {
    const points = s.points.map((p) => [x.map(p.x), y.map(p.y)] as const);
    const dash = s.dashed ? ' stroke-dasharray="5 3"' : '';
    body.push(`<path class="${s.className ?? 'series'}" d="${linePath(points)}" fill="none" stroke="${s.color}" stroke-width="2"${dash}/>`);
    s.pointTitles?.forEach((title, i) => {
      const [cx, cy] = points[i] ?? [];
      if (cx !== undefined && cy !== undefined) {
        body.push(`<circle cx="${px(cx)}" cy="${px(cy)}" r="4" fill="${s.color}"><title>${escapeHtml(title)}</title></circle>`);
      }
    });
  }
  for (const m of markers) {
    body.push(`<circle class="marker" cx="${px(x.map(m.x))}" cy="${px(y.map(m.y))}" r="6" fill="${m.color}"><title>${escapeHtml(m.label)}</title></circle>`);
  }
  body.push(legendBelow(items, frame));
  return svgDocument(frame, options.label, body);
}

/** One class of a histogram: a count per bin. */
export interface HistogramSeries {
  label: string;
  color: string;
  counts: readonly number[];
}

/** A vertical reference line across a histogram (e.g. a decision threshold), listed in the legend. */
export interface VerticalLine {
  x: number;
  label: string;
  color: string;
}

export interface HistogramOptions {
  label: string;
  xLabel: string;
  yLabel: string;
  /** Bin edges, ascending: bin i covers [edges[i], edges[i + 1]). */
  edges: readonly number[];
  /** Drawn side by side within each bin, in this order. */
  series: readonly HistogramSeries[];
  lines?: readonly VerticalLine[];
}

/**
 * Histogram with log-scaled counts: classes side by side in each bin, so a class thousands of times smaller than
 * the other (fraud next to legit) stays visible. Empty bins draw nothing; each bar's `<title>` gives its count.
 */
export function histogramChart(options: HistogramOptions): string {
  const lines = options.lines ?? [];
  const items: LegendItem[] = [
    ...options.series.map((s): LegendItem => ({ label: s.label, color: s.color, swatch: 'box' })),
    ...lines.map((l): LegendItem => ({ label: l.label, color: l.color, swatch: 'dashed' })),
  ];
  const frame = frameWithLegend(900, 260, 58, 18, items);
  const area = plotArea(frame);
  const { edges } = options;
  const x = linearScale([edges[0] ?? 0, edges[edges.length - 1] ?? 1], [area.left, area.right]);
  const maxCount = Math.max(1, ...options.series.flatMap((s) => s.counts));
  // The axis starts at ½ rather than 1 so that a bin with a single event still gets a visible bar.
  const y = logScale([0.5, maxCount * 1.3], [area.bottom, area.top]);
  const body = [bottomAxis(x, frame, options.xLabel), leftAxis(y, frame, options.yLabel)];
  const slots = options.series.length;
  for (let b = 0; b + 1 < edges.length; b++) {
    const [lo, hi] = [edges[b] as number, edges[b + 1] as number];
    const [x0, x1] = [x.map(lo), x.map(hi)];
    const barWidth = (x1 - x0 - 1) / slots;
    options.series.forEach((s, k) => {
      const count = s.counts[b] ?? 0;
      if (count <= 0) return;
      const top = y.map(count);
      body.push(
        `<rect x="${px(x0 + 0.5 + k * barWidth)}" y="${px(top)}" width="${px(barWidth)}" height="${px(area.bottom - top)}" fill="${s.color}">` +
          `<title>${escapeHtml(`${s.label}, scores ${lo.toFixed(2)}–${hi.toFixed(2)}: ${count}`)}</title></rect>`,
      );
    });
  }
  for (const l of lines) {
    const lx = px(x.map(l.x));
    body.push(`<line class="reference" x1="${lx}" x2="${lx}" y1="${area.top}" y2="${area.bottom}" stroke="${l.color}" stroke-width="2" stroke-dasharray="5 3"><title>${escapeHtml(l.label)}</title></line>`);
  }
  body.push(legendBelow(items, frame));
  return svgDocument(frame, options.label, body);
}

/** One bar of a bar chart. */
export interface Bar {
  label: string;
  value: number;
}

export interface BarChartOptions {
  label: string;
  /** Title of the value axis. */
  valueLabel: string;
  bars: readonly Bar[];
  color: string;
}

/** Longest bar label drawn in full; longer ones are cut with "…" and shown whole in the bar's tooltip. */
const MAX_BAR_LABEL = 44;
const ROW = 20;

/**
 * Horizontal bars, one row per bar in the order given, labels to the left (the left margin grows to fit the
 * longest one). Bars start at zero, so a negative value points left.
 */
export function barChart(options: BarChartOptions): string {
  const labels = options.bars.map((b) => (b.label.length > MAX_BAR_LABEL ? `${b.label.slice(0, MAX_BAR_LABEL - 1)}…` : b.label));
  const left = Math.ceil(Math.max(40, ...labels.map(textWidth))) + 14;
  const frame: Frame = { width: 900, height: 12 + options.bars.length * ROW + AXIS_SPACE, margin: { top: 12, right: 24, bottom: AXIS_SPACE, left } };
  const area = plotArea(frame);
  const values = options.bars.map((b) => b.value);
  const x = linearScale([Math.min(0, ...values), Math.max(0, ...values)], [area.left, area.right], 6, true);
  const body = [bottomAxis(x, frame, options.valueLabel), `<line class="domain" x1="${area.left}" x2="${area.left}" y1="${area.top}" y2="${area.bottom}"/>`];
  const zero = x.map(0);
  options.bars.forEach((bar, i) => {
    const rowTop = area.top + i * ROW;
    const end = x.map(bar.value);
    body.push(
      `<g class="bar"><title>${escapeHtml(`${bar.label}: ${formatCompact(bar.value)}`)}</title>`,
      `<rect x="${px(Math.min(zero, end))}" y="${rowTop + 3}" width="${px(Math.abs(end - zero))}" height="${ROW - 6}" fill="${options.color}"/>`,
      `<text x="${area.left - 8}" y="${rowTop + ROW / 2}" dy="0.32em" text-anchor="end">${escapeHtml(labels[i] ?? '')}</text></g>`,
    );
  });
  return svgDocument(frame, options.label, body);
}
