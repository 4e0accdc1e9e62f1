import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { renderReport } from '../../../training/report/render-report';
import { HOSTILE_NAME, sampleReportData } from './sample-report-data';

/** Debian's Chromium, with the flags that keep a headless run off the network and out of the user's profile. */
const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let browser: Browser;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-report-'));
  browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
});

afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Opened {
  page: Page;
  /** Console errors, uncaught page errors and dialogs (an `alert` from unescaped data would open one). */
  problems: string[];
  /** Every URL the page requested. */
  requests: string[];
}

/** Writes the report to a file and opens it as a reader would, recording whatever goes wrong. */
async function open(html: string): Promise<Opened> {
  const file = join(dir, 'report.html');
  writeFileSync(file, html);
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  return { page, problems, requests };
}

describe('report.html in Chromium', () => {
  it('loads without errors or requests beyond the file, every chart laid out with its text inside it', async () => {
    const data = sampleReportData({ hostileFeature: true });
    // A name longer than any real one, which the chart must shorten to keep inside its margin.
    data.importance[1] = { name: `user_${'very_'.repeat(15)}long_feature_name_30d`, value: data.importance[1]!.value };
    const { page, problems, requests } = await open(renderReport(data));
    expect(problems).toEqual([]);
    expect(requests).toEqual([pathToFileURL(join(dir, 'report.html')).href]);

    const boxes = await page.locator('svg').evaluateAll((svgs) =>
      svgs.map((svg) => {
        const box = svg.getBoundingClientRect();
        // Text whose box leaves the SVG's box is cut off on screen (a label longer than its margin, say).
        const outside = [...svg.querySelectorAll('text')]
          .filter((t) => {
            const r = t.getBoundingClientRect();
            return r.left < box.left - 0.5 || r.right > box.right + 0.5 || r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5;
          })
          .map((t) => t.textContent);
        return { label: svg.getAttribute('aria-label'), width: box.width, height: box.height, outside };
      }),
    );
    expect(boxes).toHaveLength(5);
    for (const b of boxes) {
      expect(b.width).toBeGreaterThan(0);
      expect(b.height).toBeGreaterThan(0);
      expect({ label: b.label, outside: b.outside }).toEqual({ label: b.label, outside: [] });
    }
    await page.close();
  });

  it('shows a hostile feature name as text', async () => {
    const { page, problems } = await open(renderReport(sampleReportData({ hostileFeature: true })));
    await expect(page.locator('#feature-importance .bar text').first().textContent()).resolves.toBe(HOSTILE_NAME);
    expect(await page.locator('script').count()).toBe(0);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('fits every chart in the width of a printed A4 page', async () => {
    const { page, problems } = await open(renderReport(sampleReportData()));
    // 186 mm, A4 less 12 mm margins, is about 703 CSS px.
    await page.setViewportSize({ width: 703, height: 900 });
    await page.emulateMedia({ media: 'print' });
    const boxes = await page.locator('svg').evaluateAll((svgs) =>
      svgs.map((s) => {
        const r = s.getBoundingClientRect();
        return { left: r.left, right: r.right, height: r.height };
      }),
    );
    for (const box of boxes) {
      expect(box.left).toBeGreaterThanOrEqual(0);
      expect(box.right).toBeLessThanOrEqual(703);
      expect(box.height).toBeGreaterThan(0);
    }
    const pdf = await page.pdf({ format: 'A4' });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(problems).toEqual([]);
    await page.close();
  });
});
