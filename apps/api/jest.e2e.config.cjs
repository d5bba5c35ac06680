// End-to-end: the built API and collector as real processes over real HTTP, on the netlab's
// real kernel state (root only), once on PostgreSQL and once on embedded PGlite.
const base = require('./jest.config.cjs');
module.exports = {
  ...base,
  displayName: 'api-e2e',
  testMatch: ['<rootDir>/e2e/**/*.e2e.spec.ts'],
  testTimeout: 180000,
  // Two files at a time: the suites share nothing. Each runs its own API processes on free ports
  // with its own data folder and database (faults.e2e.spec.ts its own PostgreSQL server), the
  // netlab suites each their own lab prefix (rf-, ra-, rq-; netlab's lease makes a second holder
  // of a prefix wait), the others netns names with a random suffix. Most of their time is spent
  // waiting for collectors and API processes, so the second file runs in that time.
  maxWorkers: 2,
};
