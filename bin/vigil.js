#!/usr/bin/env node
// Runs the compiled build in dist/ (made by `npm install` or `npm run build`) when it is at least as new as every
// TypeScript source, and the sources themselves through tsx otherwise: the compiled code is faster (tsx's output
// reaches every import through a getter), and an edit made since the build is never run stale.
const { existsSync, readFileSync, readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');

const ROOT = join(__dirname, '..');
// The folders the build compiles (tsconfig.build.json, plain JSON so that it can be read here).
const SOURCE_DIRS = JSON.parse(readFileSync(join(ROOT, 'tsconfig.build.json'), 'utf8')).include;
const COMPILED_MAIN = join(ROOT, 'dist', 'bin', 'main.js');

function newestSourceMs(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceMs(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function buildIsCurrent() {
  if (!existsSync(COMPILED_MAIN)) return false;
  const built = statSync(COMPILED_MAIN).mtimeMs;
  return SOURCE_DIRS.every((dir) => !existsSync(join(ROOT, dir)) || newestSourceMs(join(ROOT, dir)) <= built);
}

if (buildIsCurrent()) {
  require(COMPILED_MAIN);
} else {
  require('tsx/cjs');
  require('./main.ts');
}
