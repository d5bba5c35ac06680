#!/usr/bin/env node
// routescope-admin (see --help), run from source by tools/bundled-launcher.mjs.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runBundledTool } from '../../bundled-launcher.mjs';

await runBundledTool('routescope-admin', resolve(dirname(fileURLToPath(import.meta.url)), '..'));
