// Shared Jest settings: SWC (@swc/jest) strips the types, file by file (type errors are caught by
// the `typecheck` target), and workspace aliases resolve to library sources. ts-jest was already
// transpile-only here (tsconfig.base.json sets isolatedModules), but each worker still loaded the
// TypeScript compiler: ~2 of the 8 CPU seconds of libs/checks' 855 tests on a cold cache.
// Legacy decorators with their metadata, as tsc emits them for the API: Nest's dependency
// injection reads the constructor parameter types from it (apps/api/tsconfig.json).
const { pathsToModuleNameMapper } = require('ts-jest');
const { compilerOptions } = require('./tsconfig.base.json');

const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];

module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': swc },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: pathsToModuleNameMapper(compilerOptions.paths, { prefix: `${__dirname}/` }),
};
