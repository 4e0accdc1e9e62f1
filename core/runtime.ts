import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * How this process runs the project: compiled JavaScript from `dist/` (built by `npm install` through
 * bin/prepare.js, or `npm run build`) or the TypeScript sources themselves (tsx, or a test runner's transform). A benchmark child process or a
 * training thread is started the same way as its parent, so it runs the same code at the same speed.
 */

function projectRootFrom(dir: string): string {
  for (let at = dir; ; at = dirname(at)) {
    if (existsSync(join(at, 'package.json'))) return at;
    if (dirname(at) === at) throw new Error(`no package.json above ${dir}`);
  }
}

/** The directory holding package.json: the sources, `bench/`, `serving/review/` and `dist/` are under it. */
export const PROJECT_ROOT = projectRootFrom(__dirname);

/** True when this module was loaded from `dist/` (tsc output). */
export const COMPILED = __filename.endsWith('.js');

const compiledPath = (module: string) => join(PROJECT_ROOT, 'dist', `${module}.js`);
const sourcePath = (module: string) => join(PROJECT_ROOT, `${module}.ts`);

/** Node arguments that run `module` (a path from the project root, without extension) as a program. */
export function programArgs(module: string): string[] {
  return COMPILED ? [compiledPath(module)] : ['--require', require.resolve('tsx/cjs'), sourcePath(module)];
}

/** Code for `new Worker(code, { eval: true })` that loads `module` (a path from the project root, without extension). */
export function workerEntry(module: string): string {
  return COMPILED
    ? `require(${JSON.stringify(compiledPath(module))});`
    : `require(${JSON.stringify(require.resolve('tsx/cjs'))}); require(${JSON.stringify(sourcePath(module))});`;
}
