import { execFileSync } from 'node:child_process';

/**
 * V8 has no getter for its flags, but `cachedDataVersionTag()` hashes them: a process that ran disablePretenuring()
 * must have the tag of one started with the flag on its command line.
 */
function tagOf(nodeArgs: string[], code: string): string {
  const script = `${code}; console.log(require('node:v8').cachedDataVersionTag())`;
  return execFileSync(process.execPath, [...nodeArgs, '--require', require.resolve('tsx/cjs'), '-e', script], { cwd: `${__dirname}/../..`, encoding: 'utf8' }).trim();
}

describe('disablePretenuring', () => {
  it('leaves the process with the flags of `node --no-allocation-site-pretenuring`', () => {
    const plain = tagOf([], '');
    const flagged = tagOf(['--no-allocation-site-pretenuring'], '');
    const called = tagOf([], "require('./core/pretenuring').disablePretenuring()");
    expect(flagged).not.toBe(plain);
    expect(called).toBe(flagged);
  });
});
