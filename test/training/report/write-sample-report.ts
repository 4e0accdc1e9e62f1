import { writeFileSync } from 'node:fs';
import { renderReport } from '../../../training/report/render-report';
import { sampleReportData } from './sample-report-data';

/**
 * Writes the sample report to the path given (default /tmp/report.html), to look at it in a browser or take a
 * screenshot: `npx tsx test/training/report/write-sample-report.ts /tmp/report.html`.
 */
const out = process.argv[2] ?? '/tmp/report.html';
writeFileSync(out, renderReport(sampleReportData({ hostileFeature: process.argv.includes('--hostile') })));
process.stderr.write(`wrote ${out}\n`);
