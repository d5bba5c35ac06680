import { execFile } from 'node:child_process';
import { chown, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

// A PostgreSQL server of the suite's own (initdb + pg_ctl into a temp folder, on a free port),
// which the suite may stop, crash and restart: never the shared server on 5432. Not a spec.

const run = promisify(execFile);

async function binDir(): Promise<string> {
  const versions = (await readdir('/usr/lib/postgresql')).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
  if (versions.length === 0) throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql/*/bin');
  return join('/usr/lib/postgresql', versions[0], 'bin');
}

export class PostgresCluster {
  private constructor(
    private readonly bin: string,
    private readonly root: string,
    readonly port: number,
    /** root cannot run the server: every command runs as this user (postgres) when we are root. */
    private readonly asUser: string | undefined,
  ) {}

  get dataDir(): string {
    return join(this.root, 'data');
  }

  get url(): string {
    return `postgresql://postgres@127.0.0.1:${this.port}/postgres`;
  }

  static async create(port: number): Promise<PostgresCluster> {
    const root = await mkdtemp(join(tmpdir(), 'rs-faults-pg-'));
    const asUser = process.getuid?.() === 0 ? 'postgres' : undefined;
    if (asUser) {
      const { stdout } = await run('id', ['-u', asUser]);
      const { stdout: gid } = await run('id', ['-g', asUser]);
      await chown(root, Number(stdout.trim()), Number(gid.trim()));
    }
    const cluster = new PostgresCluster(await binDir(), root, port, asUser);
    await cluster.pg('initdb', ['-D', cluster.dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
    await cluster.start();
    return cluster;
  }

  async start(): Promise<void> {
    // Unix socket in our folder, TCP on loopback only, fsync off: a throw-away server.
    const options = `-p ${this.port} -k ${this.root} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`;
    await this.pg('pg_ctl', ['-D', this.dataDir, '-l', join(this.root, 'server.log'), '-o', options, '-w', '-t', '60', 'start']);
  }

  /** `fast`: clients are disconnected, a clean shutdown. `immediate`: a crash (recovery on the next start). */
  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    await this.pg('pg_ctl', ['-D', this.dataDir, '-m', mode, '-w', '-t', '60', 'stop']);
  }

  async dispose(): Promise<void> {
    await this.stop('immediate').catch(() => undefined);
    await rm(this.root, { recursive: true, force: true });
  }

  private async pg(program: string, args: string[]): Promise<void> {
    const path = join(this.bin, program);
    const [command, argv] = this.asUser ? ['runuser', ['-u', this.asUser, '--', path, ...args]] : [path, args];
    await run(command, argv, { cwd: this.root, timeout: 90000 });
  }
}
