import nx from '@nx/eslint-plugin';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';

// Prisma belongs to the API's storage layer (apps/api, libs/db) and nowhere else.
const prismaImports = ['@prisma/*', 'prisma', '*generated/prisma*', 'pglite-prisma-adapter'];

const moduleBoundaries = {
  enforceBuildableLibDependency: true,
  allow: [],
  depConstraints: [
    // Libraries never depend on applications.
    { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
    { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
    { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:lib', 'type:tool'] },
    // Shared libraries are pure: only other shared libraries, never Prisma.
    { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'], bannedExternalImports: prismaImports },
    // The collector runs on every node with nothing but Node and iproute2.
    { sourceTag: 'scope:collector', onlyDependOnLibsWithTags: ['scope:shared'], bannedExternalImports: prismaImports },
    { sourceTag: 'scope:dashboard', onlyDependOnLibsWithTags: ['scope:shared', 'scope:dashboard'], bannedExternalImports: prismaImports },
    { sourceTag: 'scope:api', onlyDependOnLibsWithTags: ['scope:shared', 'scope:api'] },
    { sourceTag: 'scope:tooling', onlyDependOnLibsWithTags: ['scope:shared', 'scope:tooling'], bannedExternalImports: prismaImports },
  ],
};

const DASHBOARD_NO_RULES = 'rules live in libs/checks: render the findings the API returns instead of judging facts in the dashboard';

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  { ignores: ['**/dist', '**/node_modules', '**/.next', '**/generated', '.nx', 'tmp'] },
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.js', '**/*.jsx', '**/*.cjs', '**/*.mjs'],
    rules: {
      '@nx/enforce-module-boundaries': ['error', moduleBoundaries],
    },
  },
  {
    // Import cycles fail lint. Between projects @nx/enforce-module-boundaries already refuses
    // them; this catches value cycles between the files of one project (relative imports,
    // resolved with the TypeScript extensions). import-x skips type-only imports, so
    // tools/workspace-rules/src/import-cycles.spec.ts walks every import, types included.
    files: ['**/*.ts', '**/*.tsx', '**/*.mts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.tsx', '.mts', '.js', '.mjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx', '.mts'] },
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.tsx', '.mts', '.js', '.mjs', '.json'] })],
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Tool configuration files and the tools' launchers load shared files (the jest preset,
    // tools/bundled-launcher.mjs) by path; they are not project code.
    files: ['**/jest*.config.cjs', 'jest.preset.cjs', '**/build.mjs', 'tools/bundled-launcher.mjs', 'tools/seed/seed.mjs', 'tools/soak/soak.mjs', 'tools/*/bin/*.mjs'],
    rules: { '@nx/enforce-module-boundaries': 'off' },
  },
  {
    // @routescope/testing (ports, waiting, fake servers) is for tests: the sources of the apps and
    // libraries never import it; their specs, e2e suites, test/ and testing/ folders and the tools do.
    files: ['apps/**/*.ts', 'apps/**/*.tsx', 'libs/**/*.ts'],
    ignores: ['**/*.spec.ts', '**/*.spec.tsx', '**/e2e/**', '**/test/**', '**/testing/**', 'libs/testing/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: '@routescope/testing', message: 'test support only: import it from specs, e2e, test/ or testing/ folders' }] }],
    },
  },
  {
    // The dashboard renders findings and their evidence; it never re-judges them. Rules and their
    // thresholds live only in libs/checks, which the dashboard must not import (issue #14). A later
    // block replaces a rule's options, so the test-support restriction above is repeated here.
    files: ['apps/dashboard/**/*.ts', 'apps/dashboard/**/*.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: '@routescope/checks', message: DASHBOARD_NO_RULES },
            { name: '@routescope/testing', message: 'test support only: import it from specs, e2e, test/ or testing/ folders' },
          ],
          patterns: [{ group: ['**/libs/checks/**', '@routescope/checks/*'], message: DASHBOARD_NO_RULES }],
        },
      ],
    },
  },
  {
    files: ['apps/dashboard/**/*.spec.ts', 'apps/dashboard/**/*.spec.tsx', 'apps/dashboard/e2e/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: '@routescope/checks', message: DASHBOARD_NO_RULES }], patterns: [{ group: ['**/libs/checks/**', '@routescope/checks/*'], message: DASHBOARD_NO_RULES }] },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', '**/e2e/**/*.ts', '**/test/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    // The bench drives the API in-process: its loader types the bundle it loads by the API's
    // public entry (apps/api/src/public.ts, type imports only: bench/run.mjs refuses a value
    // import). Nothing else imports an application.
    files: ['bench/src/api-under-test.ts'],
    rules: { '@nx/enforce-module-boundaries': ['error', { ...moduleBoundaries, allow: ['@routescope/api'] }] },
  },
];
