import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VIGIL_NODE_OPTIONS } from '../../core/node-options';

const VIGIL = join(__dirname, '..', '..', 'bin', 'vigil.js');

describe('VIGIL_NODE_OPTIONS', () => {
  it('are the node options on the first line of bin/vigil.js', () => {
    expect(readFileSync(VIGIL, 'utf8').split('\n')[0]).toBe(`#!/usr/bin/env -S node ${VIGIL_NODE_OPTIONS.join(' ')}`);
  });

  it('reach node when bin/vigil.js is run as a program, as npx runs it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-node-options-'));
    try {
      // Preloaded through NODE_OPTIONS: it reports the options on node's command line, then ends the process before
      // vigil starts.
      const probe = join(dir, 'probe.js');
      writeFileSync(probe, 'process.stdout.write(JSON.stringify(process.execArgv)); process.exit(0);');
      const out = execFileSync(VIGIL, ['--help'], { env: { ...process.env, NODE_OPTIONS: `--require ${probe}` }, encoding: 'utf8' });
      expect(JSON.parse(out)).toEqual(expect.arrayContaining([...VIGIL_NODE_OPTIONS]));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
