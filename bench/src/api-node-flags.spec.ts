import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// The bench measures the API in its own process, so the figures hold for the shipped API only if
// that process runs with the API's V8 flags. The image's CMD is where they are decided; every
// other place that runs the API as a product (npm start, the soak) or measures it (the bench)
// must pass the same ones.

const ROOT = join(__dirname, '..', '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

/** The node flags (before the script) of the API image's exec-form CMD. */
function imageNodeFlags(): string[] {
  const cmd = /^CMD\s+(\[.*\])\s*$/m.exec(read('deploy/api/Dockerfile'));
  if (!cmd) throw new Error('deploy/api/Dockerfile has no exec-form CMD');
  const argv = JSON.parse(cmd[1]) as string[];
  expect(argv[0]).toBe('node');
  const flags = argv.slice(1).filter((a) => a.startsWith('-'));
  expect(argv[flags.length + 1]).toBe('apps/api/dist/main.js');
  return flags;
}

describe("the API's V8 flags", () => {
  it('are set in the image: a young generation larger than V8’s default', () => {
    expect(imageNodeFlags()).toContain('--max-semi-space-size=32');
  });

  it.each([
    ['npm start (tools/start/start.mjs)', 'tools/start/start.mjs'],
    ['the bench harness, which hosts the API under test (bench/run.mjs)', 'bench/run.mjs'],
    ['the soak (tools/soak/src/api-process.ts)', 'tools/soak/src/api-process.ts'],
  ])('are the same in %s', (_what, path) => {
    const text = read(path);
    for (const flag of imageNodeFlags()) expect(text).toContain(`'${flag}'`);
  });
});
