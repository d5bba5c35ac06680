#!/usr/bin/env node
// schema-check (npm run schema:check), run from source by tools/bundled-launcher.mjs.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runBundledTool } from '../../bundled-launcher.mjs';

await runBundledTool('schema-check', resolve(dirname(fileURLToPath(import.meta.url)), '..'));
