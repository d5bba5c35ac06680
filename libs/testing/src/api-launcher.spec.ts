import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchApi } from './index';

// A stand-in bundle (an HTTP server in a dozen lines) so the launcher's contract is checked
// without building the API: ready on /readyz, the environment it was given, SIGTERM then SIGKILL.
const dir = mkdtempSync(join(tmpdir(), 'rs-launcher-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function bundle(name: string, body: string): string {
  const file = join(dir, `${name}.cjs`);
  writeFileSync(file, body);
  return file;
}

const server = (onTerm: string) => `
const http = require('node:http');
let ready = false;
setTimeout(() => { ready = true; console.log('ready now'); }, 300);
http.createServer((req, res) => {
  if (req.url === '/env') return res.end(JSON.stringify({ port: process.env.PORT, secret: process.env.LAUNCHER_SECRET ?? null, home: process.env.LAUNCHER_DROP ?? null }));
  res.statusCode = req.url === '/readyz' && ready ? 200 : 503;
  res.end();
}).listen(Number(process.env.PORT), process.env.HOST);
process.on('SIGTERM', () => { ${onTerm} });
`;

describe('launchApi', () => {
  it('waits for /readyz, passes the environment (removing keys set to undefined), keeps the output and stops on SIGTERM', async () => {
    process.env['LAUNCHER_DROP'] = 'from the parent';
    const api = await launchApi({ bundle: bundle('graceful', server('process.exit(0)')), env: { LAUNCHER_SECRET: 's3', LAUNCHER_DROP: undefined } });
    delete process.env['LAUNCHER_DROP'];
    expect(api.output()).toContain('ready now');
    expect(await (await fetch(`${api.url}/env`)).json()).toEqual({ port: String(api.port), secret: 's3', home: null });
    expect(await api.stop()).toEqual({ code: 0, signal: null, forced: false });
    expect(api.alive()).toBe(false);
  });

  it('kills with SIGKILL an API that ignores SIGTERM past the grace period, and says so', async () => {
    const api = await launchApi({ bundle: bundle('stubborn', server('/* ignored */')), env: {} });
    expect(await api.stop(200)).toEqual({ code: null, signal: 'SIGKILL', forced: true });
  });

  it('fails with the output when the API exits before it is ready', async () => {
    const error = await launchApi({ bundle: bundle('crash', "console.error('DATABASE_URL is not a URL'); process.exit(3);"), env: {} }).catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/exited \(3\) before it was ready:\nDATABASE_URL is not a URL/);
  });
});
