// End-to-end suites: real processes, real HTTP and (as root) the real kernel through netlab.
module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'collector-e2e',
  rootDir: __dirname,
  testMatch: ['<rootDir>/e2e/**/*.e2e.spec.ts'],
  testTimeout: 120000,
  // Two files at a time: each suite builds its own lab under its own netlab prefix (tr-, rc-, rv-,
  // rd-, rp-) and its own processes and ports, and the trace oracle (most of the time) waits on
  // pings a second at a time.
  maxWorkers: 2,
};
