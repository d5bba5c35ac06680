// End-to-end: the built API and collector as real processes over real HTTP, on the netlab's
// real kernel state (root only), once on PostgreSQL and once on embedded PGlite.
const base = require('./jest.config.cjs');
module.exports = {
  ...base,
  displayName: 'api-e2e',
  testMatch: ['<rootDir>/e2e/**/*.e2e.spec.ts'],
  testTimeout: 180000,
  // One file at a time, and no other e2e project beside it (project.json: parallelism false). The
  // suites share nothing (own API processes on free ports, data folders, databases, lab prefixes
  // rf-/ra-/rq- under netlab's lease), but the replicas suite times failover within one debounce
  // interval, the first bound to suffer from a second suite's load on a 2-core machine.
  maxWorkers: 1,
};
