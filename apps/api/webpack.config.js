// Nest needs TypeScript's decorator metadata, so the API is compiled by tsc through webpack
// (esbuild, used for the collector, cannot emit it). Third-party packages stay external and
// load from node_modules; the workspace libs (@routescope/*, linked into node_modules by npm
// workspaces) are TypeScript sources and must be compiled into the bundle.
const { NxAppWebpackPlugin } = require('@nx/webpack/app-plugin');
const { join } = require('node:path');

module.exports = {
  output: { path: join(__dirname, 'dist'), clean: true },
  externals: [
    ({ request }, callback) => {
      if (!request || request.startsWith('.') || request.startsWith('/') || request.startsWith('@routescope/')) return callback();
      return callback(null, `commonjs ${request}`);
    },
  ],
  plugins: [
    new NxAppWebpackPlugin({
      target: 'node',
      compiler: 'tsc',
      main: './src/main.ts',
      // checkCluster's worker thread (checks/cluster-checks-thread.ts starts it from next to main.js)
      additionalEntryPoints: [{ entryName: 'cluster-checks.worker', entryPath: './src/checks/cluster-checks.worker.ts' }],
      tsConfig: './tsconfig.app.json',
      assets: [],
      optimization: false,
      outputHashing: 'none',
      externalDependencies: 'none',
      mergeExternals: true,
      generatePackageJson: false,
      sourceMap: true,
    }),
  ],
};
