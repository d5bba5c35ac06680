import nx from '@nx/eslint-plugin';

// Prisma belongs to the API's storage layer (apps/api, libs/db) and nowhere else.
const prismaImports = ['@prisma/*', 'prisma', '*generated/prisma*', 'pglite-prisma-adapter'];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  { ignores: ['**/dist', '**/node_modules', '**/.next', '**/generated', '.nx', 'tmp'] },
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.js', '**/*.jsx', '**/*.cjs', '**/*.mjs'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
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
        },
      ],
    },
  },
  {
    // The dashboard renders findings and their evidence; it never re-judges them. Rules and their
    // thresholds live only in libs/checks, which the dashboard must not import (issue #14).
    files: ['apps/dashboard/**/*.ts', 'apps/dashboard/**/*.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: '@routescope/checks', message: 'rules live in libs/checks: render the findings the API returns instead of judging facts in the dashboard' }],
          patterns: [{ group: ['**/libs/checks/**', '@routescope/checks/*'], message: 'rules live in libs/checks: render the findings the API returns instead of judging facts in the dashboard' }],
        },
      ],
    },
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
    files: ['**/*.spec.ts', '**/e2e/**/*.ts', '**/test/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
];
