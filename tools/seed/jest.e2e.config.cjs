// End-to-end: the seeder against the built API (apps/api/dist/main.js) as a real process over
// real HTTP, once on a fresh PostgreSQL database and once on embedded PGlite
// (ROUTESCOPE_TEST_DATABASES=pglite or =postgres narrows it). `nx run seed:e2e` builds the API first.
module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'seed-e2e',
  rootDir: __dirname,
  testMatch: ['<rootDir>/e2e/**/*.e2e.spec.ts'],
  testTimeout: 120000,
};
