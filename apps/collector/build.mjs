// Bundles the collector into one CommonJS file with no runtime dependencies, for the
// container image and for the workspace bin. esbuild resolves the tsconfig path aliases.
//
// Start-up cost matters: `collect` runs every 15-60 s on every node, and zod (the schema
// library behind the snapshot contract) is four fifths of the code. The collector checks what it
// sends with the contract's zod-free fast path (generated from the zod schema) and needs the zod
// contract only to word what is wrong, so zod stays out of start-up:
// - @routescope/snapshot is side-effect free, so only the modules the collector uses are
//   bundled, and its zod modules (snapshot-schema, snapshot-validator) are reached only through
//   lazy-contract.ts's on-demand `require`; likewise libs/probe's zod schema (the probe jobs the
//   API sends) is reached only through lazy-probe-schema.ts, when the first job arrives;
// - those two are bundled separately into dist/zod-contract.cjs, read and compiled on first use:
//   Node then does not even read or scan zod when it starts, let alone evaluate it (embedded as
//   a string literal it was two thirds of the bundle, and scanning it cost ~3 ms and 1.5 MB RSS
//   on every start);
// - the output is minified.
// After building, the bundle is run once to prove that zod stays unevaluated at start-up.
import { build } from 'esbuild';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const { version } = JSON.parse(readFileSync(join(here, 'package.json'), 'utf8'));
const outfile = join(here, 'dist/routescope-collector.cjs');
/** The zod contract, next to the bundle (the container image copies both). */
const zodContractFile = 'zod-contract.cjs';

/** Files of these workspace libraries have no side effects on import, like a package with `"sideEffects": false`. */
const pureLibraries = [join(here, '../../libs/snapshot/src') + sep, join(here, '../../libs/probe/src') + sep, join(here, '../../libs/trace/src') + sep];

/** @type {import('esbuild').Plugin} */
const pureWorkspaceLibraries = {
  name: 'pure-workspace-libraries',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /.*/ }, async (args) => {
      if (args.pluginData?.resolvingPure || args.kind === 'entry-point') return undefined;
      const result = await pluginBuild.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        with: args.with,
        pluginData: { resolvingPure: true },
      });
      if (result.errors.length > 0 || result.external || !pureLibraries.some((dir) => result.path.startsWith(dir))) return undefined;
      return { path: result.path, namespace: result.namespace, suffix: result.suffix, sideEffects: false };
    });
  },
};

/**
 * node:crypto as the workspace libraries import it (createHash: the fact hash of `run`'s
 * heartbeats, trace), required on the first call: `collect` never hashes, and loading
 * node:crypto costs ~2 ms of every start. Another import from node:crypto fails the build.
 * @type {import('esbuild').Plugin}
 */
const lazyLibraryCrypto = {
  name: 'lazy-library-crypto',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^(node:)?crypto$/ }, (args) =>
      pureLibraries.some((dir) => args.importer.startsWith(dir)) ? { path: 'node:crypto', namespace: 'lazy-library-crypto' } : undefined,
    );
    pluginBuild.onLoad({ filter: /.*/, namespace: 'lazy-library-crypto' }, () => ({
      loader: 'js',
      contents: "export function createHash(...args) { return require('node:crypto').createHash(...args); }",
    }));
  },
};

const contractDir = join(here, '../../libs/snapshot/src/contract');
const lazyModules = { 'snapshot-schema': 'schema', 'snapshot-validator': 'validator' };
const probeSchemaFile = join(here, '../../libs/probe/src/probe-schema.ts');

/** The zod contract as one CommonJS bundle, as text. */
async function zodContractText() {
  const result = await build({
    stdin: {
      contents: [
        ...Object.entries(lazyModules).map(([file, name]) => `export * as ${name} from './${file}';`),
        `export * as probe from ${JSON.stringify(probeSchemaFile)};`,
      ].join('\n'),
      resolveDir: contractDir,
      sourcefile: 'zod-contract.ts',
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    write: false,
    tsconfig: join(here, 'tsconfig.json'),
    plugins: [pureWorkspaceLibraries],
    logLevel: 'warning',
  });
  return result.outputFiles[0].text;
}

/** lazy-contract.ts's `require('./snapshot-schema')` and `('./snapshot-validator')`, and lazy-probe-schema.ts's `require('./probe-schema')`, get the zod contract from dist/zod-contract.cjs, compiled on first use. */
function embeddedZodContract() {
  return {
    name: 'embedded-zod-contract',
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /^\.\/snapshot-(schema|validator)$/ }, (args) => {
        if (args.kind !== 'require-call' || basename(args.importer) !== 'lazy-contract.ts') return undefined;
        return { path: args.path.slice(2), namespace: 'zod-contract' };
      });
      pluginBuild.onResolve({ filter: /^\.\/probe-schema$/ }, (args) => {
        if (args.kind !== 'require-call' || basename(args.importer) !== 'lazy-probe-schema.ts') return undefined;
        return { path: 'probe-schema', namespace: 'zod-contract' };
      });
      pluginBuild.onResolve({ filter: /^zod-contract$/ }, () => ({ path: 'zod-contract', namespace: 'zod-contract' }));
      pluginBuild.onLoad({ filter: /.*/, namespace: 'zod-contract' }, (args) => ({
        loader: 'js',
        contents:
          args.path === 'zod-contract'
            ? [
                `const code = require('node:fs').readFileSync(require('node:path').join(__dirname, ${JSON.stringify(zodContractFile)}), 'utf8');`,
                "const compiled = require('node:vm').runInThisContext(`(function (exports, require, module) {${code}\n})`, { filename: 'zod-contract.cjs' });",
                'compiled(module.exports, require, module);',
              ].join('\n')
            : `module.exports = require('zod-contract').${args.path === 'probe-schema' ? 'probe' : lazyModules[args.path]};`,
      }));
    },
  };
}

/**
 * The modules of the commands other than `collect` (check, import, trace, probe, and run's loop,
 * sender, spool and metrics), which main.ts imports dynamically, go to dist/collector-commands.cjs,
 * read and compiled on first use like the zod contract: a one-shot `collect` then compiles 120 KB
 * instead of 256 KB (measured: 4 ms CPU and 1.5 MB peak RSS less per collection). The commands
 * bundle has its own copy of the libraries it uses, but shares cli/command-line.ts with the main
 * bundle, so that a UsageError it throws is the one bin.ts knows (exit code 2).
 */
const commandsFile = 'collector-commands.cjs';
const lazyCommandModules = {
  './cli/check-command': 'checkCommand',
  './cli/import-command': 'importCommand',
  './cli/trace-command': 'traceCommand',
  './cli/probe-command': 'probeCommand',
  './probe/probe-runner': 'probeRunner',
  './probe/probe-loop': 'probeLoop',
  './run/run-loop': 'runLoop',
  './run/snapshot-sender': 'snapshotSender',
  './run/snapshot-spool': 'snapshotSpool',
  './run/collector-metrics': 'collectorMetrics',
};
const commandLineFile = join(here, 'src/cli/command-line.ts');
const SHARED_COMMAND_LINE = 'routescope:command-line';

/** main.ts's `import('./cli/check-command')` and the like get their module from dist/collector-commands.cjs. */
const lazyCommands = {
  name: 'lazy-commands',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^\.\/(cli|probe|run)\// }, (args) => {
      if (args.kind !== 'dynamic-import' || args.importer !== join(here, 'src/main.ts')) return undefined;
      if (!(args.path in lazyCommandModules)) return { errors: [{ text: `${args.path} is imported dynamically by main.ts but not listed in build.mjs's lazyCommandModules` }] };
      return { path: args.path, namespace: 'collector-commands' };
    });
    pluginBuild.onResolve({ filter: /^collector-commands$/ }, () => ({ path: 'collector-commands', namespace: 'collector-commands' }));
    pluginBuild.onLoad({ filter: /.*/, namespace: 'collector-commands' }, (args) => ({
      loader: 'js',
      resolveDir: here,
      contents:
        args.path === 'collector-commands'
          ? [
              `const commandLine = require(${JSON.stringify(commandLineFile)});`,
              `const code = require('node:fs').readFileSync(require('node:path').join(__dirname, ${JSON.stringify(commandsFile)}), 'utf8');`,
              "const compiled = require('node:vm').runInThisContext(`(function (exports, require, module, __filename, __dirname) {${code}\n})`, { filename: " + JSON.stringify(commandsFile) + ' });',
              `compiled(module.exports, (id) => (id === ${JSON.stringify(SHARED_COMMAND_LINE)} ? commandLine : require(id)), module, __filename, __dirname);`,
            ].join('\n')
          : `module.exports = require('collector-commands').${lazyCommandModules[args.path]};`,
    }));
  },
};

/** In the commands bundle, cli/command-line.ts is the main bundle's (see lazyCommands). */
const sharedCommandLine = {
  name: 'shared-command-line',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /(^|\/)command-line$/ }, (args) =>
      args.path.startsWith('.') && join(args.resolveDir, `${args.path}.ts`) === commandLineFile ? { path: SHARED_COMMAND_LINE, external: true } : undefined,
    );
  },
};

mkdirSync(dirname(outfile), { recursive: true });
writeFileSync(join(dirname(outfile), zodContractFile), await zodContractText());

// what the start-up bundle and the lazily loaded commands' bundle are built with alike
const bundleOptions = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  sourcemap: 'linked',
  tsconfig: join(here, 'tsconfig.json'),
  define: { COLLECTOR_VERSION: JSON.stringify(version) },
};

await build({
  stdin: {
    contents: Object.entries(lazyCommandModules).map(([file, name]) => `export * as ${name} from '${file}';`).join('\n'),
    resolveDir: join(here, 'src'),
    sourcefile: 'collector-commands.ts',
    loader: 'ts',
  },
  outfile: join(dirname(outfile), commandsFile),
  ...bundleOptions,
  plugins: [sharedCommandLine, embeddedZodContract(), lazyLibraryCrypto, pureWorkspaceLibraries],
  logLevel: 'warning',
});

await build({
  entryPoints: [join(here, 'src/bin.ts')],
  outfile,
  ...bundleOptions,
  banner: { js: '#!/usr/bin/env node' },
  plugins: [lazyCommands, embeddedZodContract(), lazyLibraryCrypto, pureWorkspaceLibraries],
  logLevel: 'warning',
});

// zod sets globalThis.__zod_globalConfig when its core module is evaluated.
const probe = "process.on('exit',()=>{if('__zod_globalConfig' in globalThis){process.stderr.write('zod was evaluated at start-up\\n');process.exitCode=3}})";
try {
  const load = `process.argv.splice(1, 0, ${JSON.stringify(outfile)}); require(${JSON.stringify(outfile)})`;
  execFileSync(process.execPath, ['--eval', `${probe}; ${load}`, '--', '--version'], { stdio: ['ignore', 'ignore', 'pipe'] });
} catch (error) {
  console.error(`build.mjs: ${outfile} evaluates zod at start-up (${String(error.stderr ?? error.message).trim()}); keep zod-backed modules out of the static import graph`);
  process.exit(1);
}

// ...and that an invalid snapshot still gets its problems worded, from dist/zod-contract.cjs.
const invalid = spawnSync(process.execPath, [outfile, 'check', '-'], { input: '{"schemaVersion":1}', encoding: 'utf8' });
if (!/not a valid snapshot: snapshotId: is required/.test(invalid.stderr)) {
  console.error(`build.mjs: ${outfile} does not word an invalid snapshot's problems through ${zodContractFile}: ${invalid.stderr.trim()}`);
  process.exit(1);
}
