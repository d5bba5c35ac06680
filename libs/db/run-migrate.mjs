// `npm run db:migrate` → `node libs/db/run-migrate.mjs [--status] [--migrations-dir <dir>]`.
// Bundles src/migrate-cli.ts with esbuild (libs/db has no decorators, so plain esbuild
// transpiling is exact) into libs/db/dist (gitignored) and runs it. Packages stay external:
// PGlite and Prisma load their .wasm files relative to their own modules, which bundling would
// break; from libs/db/dist they resolve through the workspace's node_modules.
import { build } from 'esbuild';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const outfile = join(here, 'dist', 'migrate-cli.cjs');

await build({
  entryPoints: [join(here, 'src', 'migrate-cli.ts')],
  outfile,
  bundle: true,
  packages: 'external',
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'inline',
  logLevel: 'warning',
});

const { main } = createRequire(import.meta.url)(outfile);
process.exitCode = await main(process.argv.slice(2));
