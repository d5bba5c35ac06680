// libs/synth resolves @routescope/snapshot through the shared preset (tsconfig.base.json paths).
module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'synth',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
