// Component and unit tests of the dashboard (jsdom, SWC through next/jest), plus the check that
// the committed GraphQL types (app/lib/generated) are what codegen makes of apps/api/schema.graphql.
const nextJest = require('next/jest');

const createJestConfig = nextJest({ dir: __dirname });

module.exports = createJestConfig({
  displayName: 'dashboard',
  rootDir: __dirname,
  testEnvironment: 'jsdom',
  testMatch: ['<rootDir>/app/**/*.spec.ts', '<rootDir>/app/**/*.spec.tsx', '<rootDir>/test/**/*.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/.next/', '<rootDir>/e2e/'],
  moduleNameMapper: { '^server-only$': '<rootDir>/test/empty-module.cjs' },
  setupFiles: ['<rootDir>/test/jsdom-setup.cjs'],
});
