module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'checks',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
