// The bench's pure parts (measurement, netting, report): unit tests; the measuring itself is `npm run bench`.
module.exports = {
  ...require('../jest.preset.cjs'),
  displayName: 'bench',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
