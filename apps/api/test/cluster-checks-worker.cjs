// The cross-node checks worker for suites that run the API from its TypeScript sources (jest),
// started by ClusterChecksThread in place of the built dist/cluster-checks.worker.js. It loads the
// worker bundled by esbuild (workspace libraries from source, packages from node_modules) once
// for all test processes and reused while none of its inputs changed: transpiling its modules at
// every thread start cost ~250 ms of CPU per test app, and a suite starts hundreds. Not used in
// production.
const { createHash } = require('node:crypto');
const { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } = require('node:fs');
const { join, resolve } = require('node:path');

const root = resolve(__dirname, '../../..');
const entry = join(__dirname, '../src/checks/cluster-checks.worker.ts');
const dir = join(root, 'node_modules/.cache/routescope-api-test');
const out = join(dir, 'cluster-checks.worker.js');
const inputsFile = `${out}.inputs.json`;

/** Every input's size and mtime as the bundle was built from them; undefined when one changed. */
function upToDate() {
  try {
    const inputs = JSON.parse(readFileSync(inputsFile, 'utf8'));
    for (const [file, stamp] of Object.entries(inputs)) {
      const s = statSync(file);
      if (`${s.size}:${s.mtimeMs}` !== stamp) return false;
    }
    statSync(out);
    return true;
  } catch {
    return false;
  }
}

function build() {
  const { buildSync } = require('esbuild');
  mkdirSync(dir, { recursive: true });
  // written aside and renamed: a test process starting its thread meanwhile never reads half a file
  const partial = `${out}.${process.pid}.${createHash('sha1').update(String(Math.random())).digest('hex').slice(0, 8)}`;
  const result = buildSync({
    entryPoints: [entry],
    outfile: partial,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    packages: 'external',
    tsconfig: join(root, 'tsconfig.base.json'),
    metafile: true,
    absWorkingDir: root, // the metafile's input paths are relative to it
    logLevel: 'error',
  });
  const inputs = {};
  for (const file of Object.keys(result.metafile.inputs)) {
    const path = resolve(root, file);
    const s = statSync(path);
    inputs[path] = `${s.size}:${s.mtimeMs}`;
  }
  renameSync(partial, out);
  writeFileSync(`${inputsFile}.${process.pid}`, JSON.stringify(inputs));
  renameSync(`${inputsFile}.${process.pid}`, inputsFile);
}

if (!upToDate()) build();
require(out);
