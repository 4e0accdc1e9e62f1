#!/usr/bin/env node
// Runs the TypeScript sources directly (tsx compiles on load), so there is no build step and no stale output.
require('tsx/cjs');
require('./main.ts');
