// Unit tests (arguments, statistics). The soak itself is run by hand (`npm run soak`), never in CI.
module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'soak',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
