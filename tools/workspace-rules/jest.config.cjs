module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'workspace-rules',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  testTimeout: 60000,
};
