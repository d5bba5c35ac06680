// Loads .ts files through esbuild's transform (no type check), for a worker thread started from
// the API's TypeScript sources: jest runs the sources through ts-jest, which a worker thread does
// not have. The built API (apps/api/dist) and the bench bundle start the compiled worker instead
// (checks/cluster-checks-thread.ts). Not used in production.
const { readFileSync } = require('node:fs');
const { transformSync } = require('esbuild');

require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(readFileSync(filename, 'utf8'), { loader: 'ts', format: 'cjs', target: 'node20', sourcefile: filename, sourcemap: 'inline' });
  module._compile(code, filename);
};
