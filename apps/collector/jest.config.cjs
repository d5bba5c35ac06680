module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'collector',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
