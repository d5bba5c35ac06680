module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'diff',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
