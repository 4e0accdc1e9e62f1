import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLabels } from '../../../data/io/read-records';
import { ANALYST_LABELS_FILE, JsonlLabelLog } from '../../../serving/cases/label-log';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-label-log-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('JsonlLabelLog', () => {
  it('appends whole lines, in call order, to a labels file the training readers accept', async () => {
    const log = new JsonlLabelLog(join(dir, 'nested', 'labels'));
    expect(log.file).toBe(join(dir, 'nested', 'labels', ANALYST_LABELS_FILE));
    const labels = Array.from({ length: 50 }, (_, i) => ({
      eventId: `wd-${i}`,
      label: i % 3 === 0 ? ('fraud' as const) : ('legit' as const),
      ts: new Date(Date.UTC(2026, 10, 21, 12, 0, i)).toISOString(),
      source: 'analyst',
    }));
    await Promise.all(labels.map((label) => log.append(label)));

    const lines = readFileSync(log.file, 'utf8').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((line) => JSON.parse(line) as unknown)).toEqual(labels);
    const read: string[] = [];
    for await (const label of readLabels(log.file)) read.push(label.eventId);
    expect(read).toEqual(labels.map((l) => l.eventId));
  });
});
