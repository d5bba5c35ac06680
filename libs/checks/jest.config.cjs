module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'checks',
  rootDir: __dirname,
  // test/: the field corpus harness (libs/snapshot/test/field), which reads files outside src.
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
};
