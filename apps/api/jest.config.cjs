// The API's storage and HTTP suites run against real databases: each suite runs once on a
// fresh PostgreSQL database (127.0.0.1:5432) and once on in-memory PGlite (libs/db testing).
const preset = require('../../jest.preset.cjs');
const pglite = require('../../libs/db/jest/pglite.cjs');

module.exports = {
  ...preset,
  displayName: 'api',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  // The preset's SWC transform emits the decorator metadata Nest's dependency injection reads.
  transform: { ...preset.transform, ...pglite.transform },
  transformIgnorePatterns: pglite.transformIgnorePatterns,
  testTimeout: 60000,
  // Two spec files at a time (Jest's default on 2 cores is cores - 1 = one worker). They share
  // nothing: each makes its own databases (a clone of the migrated template, or a PGlite image),
  // listens on a port the kernel picks and uses its own Redis prefix. While one worker waits on
  // PostgreSQL the other runs.
  maxWorkers: 2,
};
