#!/usr/bin/env node
// `npm run seed -- --nodes 1000 [--hours 2] …` (see --help), run from source by tools/bundled-launcher.mjs.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runBundledTool } from '../bundled-launcher.mjs';

await runBundledTool('seed', resolve(dirname(fileURLToPath(import.meta.url)), '.'));
