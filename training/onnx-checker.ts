import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';

/** The interpreter with Debian's python3-onnx (a pyenv `python3` earlier on PATH would not have it). */
const PYTHON = '/usr/bin/python3';

export type CheckerResult = { status: 'passed' } | { status: 'failed'; message: string } | { status: 'unavailable'; message: string };

/**
 * Runs the official ONNX checker (`onnx.checker.check_model`, full check with shape inference) on a file. The
 * checker is Python-only; `.ci/run` installs Debian's python3-onnx. Where it is missing the result says so
 * instead of pretending the check passed.
 */
export function checkOnnxFile(path: string): Promise<CheckerResult> {
  if (!existsSync(PYTHON)) return Promise.resolve({ status: 'unavailable', message: `${PYTHON} not found` });
  const script = 'import sys, onnx\nonnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)\n';
  return new Promise((resolve) => {
    execFile(PYTHON, ['-c', script, path], { timeout: 60_000 }, (err, _stdout, stderr) => {
      if (!err) resolve({ status: 'passed' });
      else if (/No module named .?onnx/.test(stderr)) resolve({ status: 'unavailable', message: 'python3-onnx is not installed (apt-get install python3-onnx)' });
      else resolve({ status: 'failed', message: stderr.trim().split('\n').slice(-3).join(' ') || String(err) });
    });
  });
}
