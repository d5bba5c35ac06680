const preset = require('../../jest.preset.cjs');
const pglite = require('./jest/pglite.cjs');

module.exports = {
  ...preset,
  displayName: 'db',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  testTimeout: 60000,
  transform: { ...preset.transform, ...pglite.transform },
  transformIgnorePatterns: pglite.transformIgnorePatterns,
};
