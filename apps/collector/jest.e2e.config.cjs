// End-to-end suites: real processes, real HTTP and (as root) the real kernel through netlab.
module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'collector-e2e',
  rootDir: __dirname,
  testMatch: ['<rootDir>/e2e/**/*.e2e.spec.ts'],
  testTimeout: 120000,
};
