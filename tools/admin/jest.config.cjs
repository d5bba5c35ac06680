// Unit tests (argument parsing, output). The commands against a real API: jest.e2e.config.cjs.
module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'admin',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
