// Lints probe sources as if they were files of the workspace, with the workspace's own ESLint
// config (so the Nx project graph and every project.json's tags decide, as in `npm run lint`).
// Reads [{ file, source }] as JSON on stdin and prints, per probe, its messages as JSON. One
// ESLint instance for every probe: loading ESLint, the Nx plugin and the project graph is most
// of a lint's cost, and was paid once per probe when each was its own `eslint --stdin` process.
import { createProjectGraphAsync } from '@nx/devkit';
import { ESLint } from 'eslint';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../../..');
let input = '';
for await (const chunk of process.stdin) input += chunk;
const probes = JSON.parse(input);
// @nx/enforce-module-boundaries reads the cached project graph and skips itself (a warning on
// stdout) when there is none, as in a fresh clone before any nx command: compute it first.
process.chdir(root);
await createProjectGraphAsync({ exitOnError: true });
const eslint = new ESLint({ cwd: root });
const reports = [];
for (const { file, source } of probes) {
  const [result] = await eslint.lintText(source, { filePath: resolve(root, file), warnIgnored: true });
  reports.push(result.messages.map(({ ruleId, message }) => ({ ruleId, message })));
}
process.stdout.write(JSON.stringify(reports));
