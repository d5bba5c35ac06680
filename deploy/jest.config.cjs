module.exports = {
  ...require('../jest.preset.cjs'),
  displayName: 'deploy',
  rootDir: __dirname,
  testMatch: ['<rootDir>/k8s/**/*.spec.ts', '<rootDir>/monitoring/**/*.spec.ts'],
  testTimeout: 60000,
};
