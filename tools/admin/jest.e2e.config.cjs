// End-to-end: routescope-admin as a user runs it, against the built API (apps/api/dist/main.js)
// as a real process on a fresh PostgreSQL database. `nx run admin:e2e` builds the API first.
module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'admin-e2e',
  rootDir: __dirname,
  testMatch: ['<rootDir>/e2e/**/*.e2e.spec.ts'],
  testTimeout: 120000,
};
