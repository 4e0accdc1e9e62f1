import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * bin/vigil.js runs the compiled build only while it is current. A miniature project holds the real launcher, a
 * "compiled" main and a TypeScript main that say which one ran, and the project's node_modules (for tsx).
 */
describe('bin/vigil.js', () => {
  let root: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'vigil-launcher-'));
    mkdirSync(join(root, 'bin'));
    mkdirSync(join(root, 'core'));
    mkdirSync(join(root, 'dist', 'bin'), { recursive: true });
    copyFileSync(join(__dirname, '../../bin/vigil.js'), join(root, 'bin', 'vigil.js'));
    copyFileSync(join(__dirname, '../../tsconfig.build.json'), join(root, 'tsconfig.build.json'));
    symlinkSync(join(__dirname, '../../node_modules'), join(root, 'node_modules'));
    writeFileSync(join(root, 'bin', 'main.ts'), "const ran: string = 'source';\nconsole.log(ran);\n");
    writeFileSync(join(root, 'core', 'config.ts'), 'export const x = 1;\n');
    writeFileSync(join(root, 'dist', 'bin', 'main.js'), "console.log('compiled');\n");
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const run = () => execFileSync(process.execPath, [join(root, 'bin', 'vigil.js')], { encoding: 'utf8' }).trim();
  const age = (path: string, secondsAgo: number) => {
    const t = Date.now() / 1000 - secondsAgo;
    utimesSync(join(root, path), t, t);
  };

  it('runs dist/ when it is newer than every source', () => {
    age('bin/main.ts', 60);
    age('core/config.ts', 60);
    age('dist/bin/main.js', 10);
    expect(run()).toBe('compiled');
  });

  it('runs the TypeScript sources when any of them changed after the build', () => {
    age('bin/main.ts', 60);
    age('dist/bin/main.js', 30);
    age('core/config.ts', 5);
    expect(run()).toBe('source');
  });

  it('runs the TypeScript sources when there is no build', () => {
    rmSync(join(root, 'dist'), { recursive: true });
    expect(run()).toBe('source');
  });
});
