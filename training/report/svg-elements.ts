import { escapeHtml } from './escape-html';
import type { Scale } from './svg-scales';

/** Size of a chart and the margins around its plot area, in px (SVG user units). */
export interface Frame {
  width: number;
  height: number;
  margin: { top: number; right: number; bottom: number; left: number };
}

/** The plot area of a frame: where data is drawn, inside the axes. */
export function plotArea(frame: Frame): { left: number; right: number; top: number; bottom: number } {
  const { width, height, margin } = frame;
  return { left: margin.left, right: width - margin.right, top: margin.top, bottom: height - margin.bottom };
}

/** Font size of every chart text, px; the text-width estimate below depends on it. */
export const FONT_SIZE = 12;

/**
 * Rough width of `text` at {@link FONT_SIZE} in a sans-serif font, px. SVG has no layout, so margins and legends
 * are sized from this; it errs on the wide side so labels never run out of the picture.
 */
export function textWidth(text: string): number {
  return text.length * FONT_SIZE * 0.62;
}

/** A coordinate rounded to 0.1 px: finer precision only makes the file bigger. */
export const px = (v: number): string => String(Math.round(v * 10) / 10);

/**
 * The `<svg>` element around a chart's body: a viewBox so it scales with the page, and `label` as its accessible
 * name and `<title>`.
 */
export function svgDocument(frame: Frame, label: string, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${frame.width} ${frame.height}" width="${frame.width}" height="${frame.height}" role="img" aria-label="${escapeHtml(label)}">`,
    `<title>${escapeHtml(label)}</title>`,
    ...body,
    '</svg>',
  ].join('\n');
}

/** SVG path data through the points in order ("M x,y L x,y …"), one coordinate pair per point. */
export function linePath(points: readonly (readonly [number, number])[]): string {
  return points.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${px(x)},${px(y)}`).join(' ');
}

/** X axis along the bottom of the plot area: tick marks, labels, light vertical grid lines and the axis title. */
export function bottomAxis(scale: Scale, frame: Frame, title: string): string {
  const area = plotArea(frame);
  const parts = [`<g class="axis x-axis">`, `<line class="domain" x1="${area.left}" x2="${area.right}" y1="${area.bottom}" y2="${area.bottom}"/>`];
  for (const t of scale.ticks) {
    const x = px(scale.map(t));
    parts.push(
      `<line class="grid" x1="${x}" x2="${x}" y1="${area.top}" y2="${area.bottom}"/>`,
      `<line class="tick" x1="${x}" x2="${x}" y1="${area.bottom}" y2="${area.bottom + 5}"/>`,
      `<text x="${x}" y="${area.bottom + 18}" text-anchor="middle">${escapeHtml(scale.format(t))}</text>`,
    );
  }
  parts.push(`<text class="axis-title" x="${px((area.left + area.right) / 2)}" y="${area.bottom + 36}" text-anchor="middle">${escapeHtml(title)}</text>`, '</g>');
  return parts.join('\n');
}

/** Y axis along the left of the plot area: tick marks, labels, light horizontal grid lines and the rotated title. */
export function leftAxis(scale: Scale, frame: Frame, title: string): string {
  const area = plotArea(frame);
  const parts = [`<g class="axis y-axis">`, `<line class="domain" x1="${area.left}" x2="${area.left}" y1="${area.top}" y2="${area.bottom}"/>`];
  for (const t of scale.ticks) {
    const y = px(scale.map(t));
    parts.push(
      `<line class="grid" x1="${area.left}" x2="${area.right}" y1="${y}" y2="${y}"/>`,
      `<line class="tick" x1="${area.left - 5}" x2="${area.left}" y1="${y}" y2="${y}"/>`,
      `<text x="${area.left - 8}" y="${y}" dy="0.32em" text-anchor="end">${escapeHtml(scale.format(t))}</text>`,
    );
  }
  const cy = px((area.top + area.bottom) / 2);
  parts.push(`<text class="axis-title" transform="translate(14 ${cy}) rotate(-90)" text-anchor="middle">${escapeHtml(title)}</text>`, '</g>');
  return parts.join('\n');
}

/** One legend entry: a swatch (filled box, dot, line or dashed line) and its label. */
export interface LegendItem {
  label: string;
  color: string;
  swatch: 'box' | 'dot' | 'line' | 'dashed';
}

/** Height of one legend row, px. */
export const LEGEND_ROW = 18;

/** How many rows `legend` needs to fit the items in `width` px. */
export function legendRows(items: readonly LegendItem[], width: number): number {
  return layoutLegend(items, 0, 0, width).rows;
}

/**
 * Legend laid out left to right from (x, y), wrapping to a new row when the next entry would pass `width`.
 * Charts put it below the x axis, where it can never hide data.
 */
export function legend(items: readonly LegendItem[], x: number, y: number, width: number): string {
  return layoutLegend(items, x, y, width).svg;
}

function layoutLegend(items: readonly LegendItem[], x0: number, y0: number, width: number): { svg: string; rows: number } {
  const parts = ['<g class="legend">'];
  let [x, y, rows] = [x0, y0, items.length > 0 ? 1 : 0];
  for (const item of items) {
    const entryWidth = 26 + textWidth(item.label) + 16;
    if (x > x0 && x + entryWidth > x0 + width) [x, y, rows] = [x0, y + LEGEND_ROW, rows + 1];
    const swatch =
      item.swatch === 'box'
        ? `<rect x="${px(x)}" y="${y - 5}" width="18" height="10" fill="${item.color}"/>`
        : item.swatch === 'dot'
          ? `<circle class="marker" cx="${px(x + 9)}" cy="${y}" r="5" fill="${item.color}"/>`
          : `<line x1="${px(x)}" x2="${px(x + 18)}" y1="${y}" y2="${y}" stroke="${item.color}" stroke-width="2.5"${item.swatch === 'dashed' ? ' stroke-dasharray="5 3"' : ''}/>`;
    parts.push(swatch, `<text x="${px(x + 24)}" y="${y}" dy="0.32em">${escapeHtml(item.label)}</text>`);
    x += entryWidth;
  }
  parts.push('</g>');
  return { svg: parts.join('\n'), rows };
}
