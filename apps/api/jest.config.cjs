// The API's storage and HTTP suites run against real databases: each suite runs once on a
// fresh PostgreSQL database (127.0.0.1:5432) and once on in-memory PGlite (libs/db testing).
const path = require('node:path');
const preset = require('../../jest.preset.cjs');
const pglite = require('../../libs/db/jest/pglite.cjs');

module.exports = {
  ...preset,
  displayName: 'api',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  transform: {
    // The API's tsconfig turns on decorator metadata, which Nest's dependency injection reads.
    '^.+\\.ts$': ['ts-jest', { tsconfig: path.join(__dirname, 'tsconfig.json'), diagnostics: false }],
    ...pglite.transform,
  },
  transformIgnorePatterns: pglite.transformIgnorePatterns,
  testTimeout: 60000,
};
