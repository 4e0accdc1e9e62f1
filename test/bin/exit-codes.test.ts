import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const VIGIL = join(__dirname, '../../bin/vigil.js');
const vigil = (...args: string[]) => spawnSync(process.execPath, [VIGIL, ...args], { encoding: 'utf8', env: { ...process.env, REDIS_URL: '' } });

describe('vigil exit codes', () => {
  it.each([
    [['ingest', '--events', 'x.jsonl', '--batch-size', '0'], /--batch-size <n>' argument '0' is invalid/],
    [['audit', 'export', '--out', 'x.jsonl', '--since', '2026-02-30'], /no such calendar date/],
    [['keys', 'create', '--name', 'x'], /required option '--scopes/],
    [['no-such-command'], /unknown command 'no-such-command'/],
  ])('exits 2 for bad input that the option parser catches (%j), saying why', (args, message) => {
    const run = vigil(...args);
    expect(run.stderr).toMatch(message);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
  }, 60_000);

  it('exits 0 for --help', () => {
    const run = vigil('--help');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/Usage: vigil/);
  }, 60_000);
});
