#!/usr/bin/env node
// `npm run soak -- --minutes 10 […]` (see --help), run from source by tools/bundled-launcher.mjs.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runBundledTool } from '../bundled-launcher.mjs';

await runBundledTool('soak', resolve(dirname(fileURLToPath(import.meta.url)), '.'));
