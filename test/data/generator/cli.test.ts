import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');

function vigil(args: string[]) {
  const run = spawnSync(process.execPath, [join(ROOT, 'bin/vigil.js'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, VIGIL_LOG_LEVEL: 'info' },
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('vigil generate', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'vigil-gen-cli-'));
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('writes the data set and prints the summary as the last stdout line', () => {
    const out = join(tmp, 'small');
    const run = vigil(['generate', '--out', out, '--users', '50', '--days', '5']);
    expect(run.stderr).toContain('generated');
    expect(run.status).toBe(0);
    const lines = run.stdout.trim().split('\n');
    const summary = JSON.parse(lines.at(-1) as string);
    expect(summary).toMatchObject({ users: 50, days: 5, seed: 42, start: '2026-01-01' });
    const events = readFileSync(join(out, 'events.jsonl'), 'utf8').trim().split('\n');
    expect(summary.events.total).toBe(events.length);
    expect(summary.events.login + summary.events.withdrawal + summary.events.account_change).toBe(events.length);
    expect(Object.keys(summary.scenarios)).toEqual(expect.arrayContaining(['account_takeover', 'mule_address']));
    expect(summary).toHaveProperty('fraudRate.withdrawal');
    expect(summary).toHaveProperty('labels.wrong');
    expect(summary.eventsPerSecond).toBeGreaterThan(0);
    expect(readdirSync(out).sort()).toEqual(['events.jsonl', 'labels.jsonl', 'lists', 'truth.jsonl']);
  });

  it('rejects a bad option, naming it, and writes nothing', () => {
    const out = join(tmp, 'bad');
    const run = vigil(['generate', '--out', out, '--users', 'abc']);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/--users/);
    expect(run.stderr).toMatch(/abc/);
    expect(run.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
  });

  it('rejects an impossible start date, naming the field', () => {
    const out = join(tmp, 'bad-date');
    const run = vigil(['generate', '--out', out, '--start', '2026-02-30']);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/start.*2026-02-30/);
    expect(existsSync(out)).toBe(false);
  });
});
