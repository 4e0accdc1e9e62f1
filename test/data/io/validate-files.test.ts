import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidRecordError } from '../../../data/io/raw-record';
import { validateFiles } from '../../../data/io/validate-files';
import { jsonl, makeTempDir, VALID_EVENTS, VALID_LABELS } from './fixtures';

const tmp = makeTempDir();
afterAll(tmp.cleanup);

const ROOT = join(__dirname, '../../..');
const badAmount = { ...VALID_EVENTS[2], eventId: 'bad', amount: -3 };

/** Runs `vigil` as users do; returns exit code, stdout and stderr. */
function vigil(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [join(ROOT, 'bin/vigil.js'), ...args], { cwd: ROOT, encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('validateFiles', () => {
  it('counts valid records by type and label', async () => {
    const events = tmp.file('ok-events.jsonl');
    const labels = tmp.file('ok-labels.jsonl');
    writeFileSync(events, jsonl(VALID_EVENTS));
    writeFileSync(labels, jsonl(VALID_LABELS));
    expect(await validateFiles({ events, labels })).toEqual({
      events: { valid: 5, invalid: 0, byType: { login: 2, withdrawal: 2, account_change: 1 } },
      labels: { valid: 2, invalid: 0, byLabel: { fraud: 1, legit: 1 } },
      errors: [],
    });
  });

  it('skip-invalid lists errors of both files, events first', async () => {
    const events = tmp.file('some-bad.jsonl');
    const labels = tmp.file('some-bad-labels.jsonl');
    writeFileSync(events, jsonl([...VALID_EVENTS, badAmount]));
    writeFileSync(labels, jsonl([{ eventId: 'e1', label: 'fraud' }, ...VALID_LABELS]));
    const summary = await validateFiles({ events, labels, mode: 'skip-invalid' });
    expect(summary.events).toEqual({ valid: 5, invalid: 1, byType: { login: 2, withdrawal: 2, account_change: 1 } });
    expect(summary.labels).toEqual({ valid: 2, invalid: 1, byLabel: { fraud: 1, legit: 1 } });
    expect(summary.errors).toEqual([
      { file: events, line: 6, issues: [{ path: ['amount'], message: 'must not be negative' }] },
      { file: labels, line: 1, issues: [{ path: ['ts'], message: expect.any(String) }] },
    ]);
  });

  it('strict mode throws at the first bad record', async () => {
    const events = tmp.file('strict-bad.jsonl');
    writeFileSync(events, jsonl([VALID_EVENTS[0], badAmount]));
    await expect(validateFiles({ events })).rejects.toThrow(InvalidRecordError);
  });

  it('refuses a bad labels path before reading the events', async () => {
    await expect(validateFiles({ events: tmp.file('never-read.jsonl'), labels: tmp.file('labels.xlsx') })).rejects.toThrow(
      /labels\.xlsx: unsupported file type/,
    );
  });
});

describe('vigil validate', () => {
  it('exits non-zero on a bad line, naming file, line and field on stderr, with nothing on stdout', () => {
    const events = tmp.file('cli-bad.jsonl');
    writeFileSync(events, `${jsonl(VALID_EVENTS.slice(0, 2))}\n${jsonl([badAmount])}`);
    const run = vigil('validate', '--events', events);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain(`${events}:4: amount: must not be negative`);
    expect(run.stdout).toBe('');
  });

  it('prints the summary as the last stdout line with --skip-invalid', () => {
    const events = tmp.file('cli-mixed.jsonl');
    writeFileSync(events, jsonl([...VALID_EVENTS, badAmount]));
    const run = vigil('validate', '--events', events, '--skip-invalid');
    expect(run.status).toBe(0);
    const last = run.stdout.trimEnd().split('\n').pop() ?? '';
    expect(JSON.parse(last)).toEqual({
      events: { valid: 5, invalid: 1, byType: { login: 2, withdrawal: 2, account_change: 1 } },
      labels: null,
      errors: [{ file: events, line: 6, issues: [{ path: ['amount'], message: 'must not be negative' }] }],
    });
  });
});
