// End-to-end: the built API and collector as real processes over real HTTP, on the netlab's
// real kernel state (root only), once on PostgreSQL and once on embedded PGlite.
const base = require('./jest.config.cjs');
module.exports = {
  ...base,
  displayName: 'api-e2e',
  testMatch: ['<rootDir>/e2e/**/*.e2e.spec.ts'],
  testTimeout: 180000,
  // One file at a time, for now. The suites share nothing (own API processes on free ports, data
  // folders, databases, lab prefixes rf-/ra-/rq- under netlab's lease), so two workers are safe in
  // principle; not yet verified flake-free on a quiet 2-core CI machine (issue #15), where the
  // replicas suite's failover bound is the first to suffer from a second file's load.
  maxWorkers: 1,
};
