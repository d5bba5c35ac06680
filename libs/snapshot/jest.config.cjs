module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'snapshot',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
