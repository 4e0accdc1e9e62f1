#!/usr/bin/env node
// `npm install`'s prepare step: compiles the sources to dist/ (see bin/vigil.js). A production install without the
// dev dependencies (`npm install --omit=dev`) has no TypeScript compiler: vigil then runs the sources through tsx.
const { spawnSync } = require('node:child_process');

let tsc;
try {
  tsc = require.resolve('typescript/bin/tsc');
} catch {
  console.error('vigil: no TypeScript compiler installed (dev dependencies omitted); vigil runs the sources through tsx');
  process.exit(0);
}
const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit', cwd: require('node:path').join(__dirname, '..') });
process.exit(result.status ?? 1);
