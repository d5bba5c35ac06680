#!/usr/bin/env node
// Launcher for the bundled collector (built by `npm ci` through the root postinstall).
const path = require('node:path');
const bundle = path.join(__dirname, '..', 'dist', 'routescope-collector.cjs');
try {
  require.resolve(bundle);
} catch {
  console.error(`routescope-collector: ${bundle} is missing; run "npm run build:collector" first`);
  process.exit(2);
}
require(bundle);
