// Bundles the collector into one CommonJS file with no runtime dependencies, for the
// container image and for the workspace bin. esbuild resolves the tsconfig path aliases.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const { version } = JSON.parse(readFileSync(join(here, 'package.json'), 'utf8'));

await build({
  entryPoints: [join(here, 'src/bin.ts')],
  outfile: join(here, 'dist/routescope-collector.cjs'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  tsconfig: join(here, 'tsconfig.json'),
  define: { COLLECTOR_VERSION: JSON.stringify(version) },
  banner: { js: '#!/usr/bin/env node' },
  logLevel: 'warning',
});
