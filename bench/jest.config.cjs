// The bench's pure parts (measurement, netting, report) and its table sizes (on real PostgreSQL
// and PGlite): unit tests; the measuring itself is `npm run bench`.
const preset = require('../jest.preset.cjs');
const pglite = require('../libs/db/jest/pglite.cjs');

module.exports = {
  ...preset,
  displayName: 'bench',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  testTimeout: 60000,
  transform: { ...preset.transform, ...pglite.transform },
  transformIgnorePatterns: pglite.transformIgnorePatterns,
};
