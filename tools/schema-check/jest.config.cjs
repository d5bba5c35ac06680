// The schema check against real git repositories made in temp directories.
module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'schema-check',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
