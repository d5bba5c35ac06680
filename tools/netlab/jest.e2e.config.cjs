// Builds the lab in real network namespaces and pings through it: root only.
module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'netlab-e2e',
  rootDir: __dirname,
  testMatch: ['<rootDir>/e2e/**/*.e2e.spec.ts'],
  testTimeout: 180000,
};
