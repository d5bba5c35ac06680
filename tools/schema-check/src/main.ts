import { resolve } from 'node:path';
import { checkSchemas, formatSchemaCheck } from './schema-check';

// `npm run schema:check`: exit 1 on a breaking schema change not marked in CHANGELOG.md, 2 when it cannot compare.
const root = resolve(__dirname, '..', '..', '..');
checkSchemas(root).then(
  (result) => {
    console.log(formatSchemaCheck(result));
    process.exitCode = result.ok ? 0 : 1;
  },
  (error: unknown) => {
    console.error(`schema check: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 2;
  },
);
