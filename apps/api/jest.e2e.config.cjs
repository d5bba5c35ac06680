// End-to-end: the built API and collector as real processes over real HTTP, on the netlab's
// real kernel state (root only), once on PostgreSQL and once on embedded PGlite.
const base = require('./jest.config.cjs');
module.exports = {
  ...base,
  displayName: 'api-e2e',
  testMatch: ['<rootDir>/e2e/**/*.e2e.spec.ts'],
  testTimeout: 180000,
  // The suites share the root network namespace's lab: one file at a time.
  maxWorkers: 1,
};
