// The cross-node checks worker for suites that run the API from its TypeScript sources (jest),
// started by ClusterChecksThread in place of the built dist/cluster-checks.worker.js. It loads the
// worker bundled by esbuild (workspace libraries from source, packages from node_modules) once
// for all test processes and reused while none of its inputs changed: transpiling its modules at
// every thread start cost ~250 ms of CPU per test app, and a suite starts hundreds. Not used in
// production.
const { randomBytes } = require('node:crypto');
const { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } = require('node:fs');
const { join, resolve } = require('node:path');

const root = resolve(__dirname, '../../..');
const entry = join(__dirname, '../src/checks/cluster-checks.worker.ts');
const dir = join(root, 'node_modules/.cache/routescope-api-test');
const out = join(dir, 'cluster-checks.worker.js');
const inputsFile = `${out}.inputs.json`;

/** Whether the bundle exists and every input still has the size and mtime it was built from. */
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
  // written aside and renamed: a thread starting meanwhile (in this process or another) never reads half a file
  const aside = (file) => `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  const partial = aside(out);
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
  const partialInputs = aside(inputsFile);
  writeFileSync(partialInputs, JSON.stringify(inputs));
  renameSync(partialInputs, inputsFile);
}

if (!upToDate()) build();
require(out);
