// End-to-end: the built API and collector as real processes over real HTTP, on the netlab's
// real kernel state (root only), once on PostgreSQL and once on embedded PGlite.
const base = require('./jest.config.cjs');
module.exports = {
  ...base,
  displayName: 'api-e2e',
  testMatch: ['<rootDir>/e2e/**/*.e2e.spec.ts'],
  testTimeout: 180000,
  // One file at a time. The suites share nothing (own API processes on free ports, data folders,
  // databases, lab prefixes rf-/ra-/rq- under netlab's lease), so another e2e project may run
  // beside them — except the replicas suite, which times failover within one debounce interval:
  // project.json runs it as its own target, `e2e-timed`, with nothing beside it (parallelism false).
  maxWorkers: 1,
};
