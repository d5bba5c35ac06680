// The one launcher of the repo's TypeScript command-line tools (seed, soak, routescope-admin,
// schema-check): bundles a tool's src/main.ts with esbuild on the fly (the shared libs from source,
// like tsconfig paths; third-party packages stay external), so it needs no build step, then runs
// it in this process.
import { build } from 'esbuild';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** @routescope/<lib> → libs/<lib>/src/index.ts; other bare imports stay external. */
const workspaceLibs = {
  name: 'workspace-libs',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (a) => {
      const m = /^@routescope\/([a-z-]+)$/.exec(a.path);
      if (m) return { path: join(root, 'libs', m[1], 'src', 'index.ts') };
      return { path: a.path, external: true };
    });
  },
};

/** Bundles `<toolDir>/src/main.ts` into `<toolDir>/dist/<name>.cjs` and runs it. */
export async function runBundledTool(name, toolDir) {
  const outfile = join(toolDir, 'dist', `${name}.cjs`);
  try {
    const { outputFiles } = await build({ entryPoints: [join(toolDir, 'src/main.ts')], outfile, write: false, bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'warning', sourcemap: 'inline', plugins: [workspaceLibs] });
    // Written aside and renamed into place: runs started together (several terminals, a test
    // suite) never load another's half-written bundle (which ran nothing and exited 0).
    mkdirSync(dirname(outfile), { recursive: true });
    const partial = `${outfile}.${process.pid}.tmp`;
    writeFileSync(partial, outputFiles[0].contents);
    renameSync(partial, outfile);
  } catch (error) {
    console.error(`${name}: could not bundle ${toolDir}/src: ${error.message}`);
    process.exit(1);
  }
  createRequire(import.meta.url)(outfile);
}
