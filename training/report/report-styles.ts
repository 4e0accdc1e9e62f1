/** The report's whole stylesheet, inlined so the file opens anywhere (mail attachment, artifact store) as it is. */
export const REPORT_CSS = `
:root { color-scheme: light; --ink: #212529; --muted: #6c757d; --line: #dee2e6; --accent: #1c5d99; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 960px; padding: 24px 24px 48px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); background: #fff; }
h1 { font-size: 24px; margin: 0 0 12px; }
h1 .version { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 20px; color: var(--accent); overflow-wrap: anywhere; }
h2 { font-size: 18px; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
nav { margin: 0 0 14px; font-size: 13px; }
nav a { color: var(--accent); margin-right: 12px; text-decoration: none; }
.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(210px, 1fr)); gap: 8px 16px; margin: 0; }
.facts dt { font-size: 12px; color: var(--muted); }
.facts dd { margin: 0; font-weight: 600; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; color: var(--muted); border-bottom-width: 2px; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.chosen td { background: #f1f6fc; }
.fit { display: inline-block; margin-right: 10px; color: var(--muted); }
.fit b { color: var(--ink); font-weight: 600; }
.tag, .decision { display: inline-block; padding: 0 6px; border-radius: 8px; font-size: 11px; font-weight: 600; color: #fff; background: var(--accent); }
.decision.step_up { background: #7048e8; }
.decision.hold { background: #c2255c; }
.decision.block { background: #212529; }
.tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(160px, 1fr)); gap: 10px; }
.tile { border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; }
.tile .value { font-size: 20px; font-weight: 600; font-variant-numeric: tabular-nums; }
.tile .name { font-size: 12px; color: var(--muted); }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(380px, 1fr)); gap: 16px; }
figure { margin: 0 0 16px; }
.charts > table { align-self: start; margin-top: 28px; }
figcaption { font-weight: 600; margin-bottom: 6px; }
svg { display: block; max-width: 100%; height: auto; }
svg text { font-size: 12px; fill: #343a40; font-family: inherit; }
svg .axis-title { font-weight: 600; }
svg .domain, svg .tick { stroke: #495057; stroke-width: 1; }
svg .grid { stroke: #eceff1; stroke-width: 1; }
svg .marker { stroke: #fff; stroke-width: 1.5; }
svg .bar:hover rect, svg rect:hover { opacity: 0.75; }
.meter { display: inline-block; width: 80px; height: 8px; margin-right: 6px; background: #e9ecef; border-radius: 4px; overflow: hidden; vertical-align: middle; }
.meter span { display: block; height: 100%; background: var(--accent); }
.note { color: var(--muted); font-style: italic; }
footer { margin-top: 40px; font-size: 12px; color: var(--muted); }
@media print {
  @page { margin: 12mm; }
  body { max-width: none; padding: 0; font-size: 11px; }
  table { font-size: 11px; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  nav { display: none; }
  h2 { break-after: avoid; }
  figure, tr, .tile { break-inside: avoid; }
  .charts { grid-template-columns: 1fr 1fr; }
}
`;
