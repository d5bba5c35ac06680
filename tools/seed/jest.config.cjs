// Unit tests (argument parsing). The seeder itself is tested against the real API by
// jest.e2e.config.cjs (`nx run seed:e2e`). tools/seed resolves @routescope/synth through the
// shared preset (tsconfig.base.json paths).
module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'seed',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
