import { join } from 'node:path';
import type { CodegenConfig } from '@graphql-codegen/cli';

// Typed GraphQL operations for the dashboard, generated from the API's committed SDL (never from a
// running server). `nx run dashboard:codegen` writes app/lib/generated; the `test` target fails
// when the committed output differs from what this config generates (it regenerates into the
// folder named by ROUTESCOPE_CODEGEN_OUT and compares).
const generatedDir = (process.env.ROUTESCOPE_CODEGEN_OUT ?? join(__dirname, 'app/lib/generated')).replace(/\/?$/, '/');

const config: CodegenConfig = {
  schema: join(__dirname, '../api/schema.graphql'),
  documents: [join(__dirname, 'app/lib/operations/**/*.ts')],
  ignoreNoDocuments: false,
  silent: true,
  generates: {
    [generatedDir]: {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        strictScalars: true,
        scalars: { DateTime: 'string', JSON: 'unknown' },
        skipTypename: true,
        avoidOptionals: { field: true, inputValue: false, object: true, defaultValue: false },
      },
    },
  },
};

export default config;
