// The API's storage and HTTP suites run against real databases: each suite runs once on a
// fresh PostgreSQL database (127.0.0.1:5432) and once on in-memory PGlite (libs/db testing).
const base = require('../../jest.preset.cjs');
module.exports = {
  ...base,
  displayName: 'api',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: require('node:path').join(__dirname, 'tsconfig.json'), diagnostics: false }],
  },
  testTimeout: 60000,
};
