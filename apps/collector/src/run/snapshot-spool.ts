import { mkdir, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface SpoolLimits {
  /** most snapshots kept; the oldest are dropped beyond it. */
  maxFiles: number;
  /** most bytes kept; the oldest are dropped beyond it. */
  maxBytes: number;
}

export interface SpooledSnapshot {
  file: string;
  body: string;
}

const FILE_PATTERN = /^(\d{16})-[\w-]+\.json$/;

/**
 * A bounded on-disk FIFO of snapshots waiting to be posted. Every snapshot passes through it,
 * so delivery order is spool order and a crash or restart loses nothing that was written.
 * Files are written to a temporary name and renamed, so a half-written file is never read.
 */
export class SnapshotSpool {
  private files: { name: string; bytes: number }[] = [];
  private counter = 0;

  constructor(
    readonly dir: string,
    private readonly limits: SpoolLimits,
  ) {}

  async open(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const names = (await readdir(this.dir)).filter((n) => FILE_PATTERN.test(n)).sort();
    this.files = await Promise.all(names.map(async (name) => ({ name, bytes: (await stat(join(this.dir, name))).size })));
    const last = names.at(-1);
    this.counter = last ? Number(FILE_PATTERN.exec(last)?.[1]) + 1 : 0;
  }

  get length(): number {
    return this.files.length;
  }

  /** Adds a snapshot at the tail; returns how many of the oldest were dropped to stay in bounds. */
  async append(snapshotId: string, body: string): Promise<number> {
    const name = `${String(this.counter++).padStart(16, '0')}-${snapshotId}.json`;
    const temporary = join(this.dir, `.${name}.tmp`);
    await writeFile(temporary, body);
    await rename(temporary, join(this.dir, name));
    this.files.push({ name, bytes: Buffer.byteLength(body) });
    let dropped = 0;
    while (this.files.length > 1 && (this.files.length > this.limits.maxFiles || this.totalBytes() > this.limits.maxBytes)) {
      await this.removeFile(this.files[0].name);
      dropped++;
    }
    return dropped;
  }

  async oldest(): Promise<SpooledSnapshot | undefined> {
    const first = this.files[0];
    if (!first) return undefined;
    return { file: first.name, body: await readFile(join(this.dir, first.name), 'utf8') };
  }

  async remove(file: string): Promise<void> {
    await this.removeFile(file);
  }

  private async removeFile(name: string): Promise<void> {
    this.files = this.files.filter((f) => f.name !== name);
    await unlink(join(this.dir, name)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
  }

  private totalBytes(): number {
    return this.files.reduce((sum, f) => sum + f.bytes, 0);
  }
}
