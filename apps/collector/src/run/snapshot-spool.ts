import { chmod, mkdir, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface SpoolLimits {
  /** most snapshots kept; the oldest are dropped beyond it. */
  maxFiles: number;
  /** most bytes kept; the oldest are dropped beyond it. */
  maxBytes: number;
  /** most snapshots kept in rejected/ (default MAX_REJECTED); the oldest are deleted beyond it. */
  maxRejected?: number;
}

export interface SpooledSnapshot {
  file: string;
  body: string;
}

/** What the server answered when it refused a snapshot for good, kept beside it in rejected/. */
export interface Rejection {
  status: number;
  /** the response body as the server sent it (the error, its reason and the path of the bad field). */
  body: string;
}

const FILE_PATTERN = /^(\d{16})-[\w-]+\.json$/;
/** The folder below the spool where refused snapshots are kept for a person to look at. */
export const REJECTED_DIR = 'rejected';
/** Most snapshots kept in rejected/; beyond it the oldest go (each with a log line). */
export const MAX_REJECTED = 1000;
/** Snapshots are the node's whole network state: readable by the collector's user only. */
const DIR_MODE = 0o700;
const FILE_MODE = 0o600;

/**
 * A bounded on-disk FIFO of snapshots waiting to be posted. Every snapshot passes through it,
 * so delivery order is spool order and a crash or restart loses nothing that was written.
 * Files are written to a temporary name and renamed, so a half-written file is never read.
 * A snapshot the server refuses for good moves to rejected/ with the server's answer, so it
 * never blocks the ones behind it and is still there to be looked at.
 */
export class SnapshotSpool {
  private files: { name: string; bytes: number }[] = [];
  /** rejected/'s snapshot files, oldest first; read from disk on the first rejection. */
  private rejectedFiles?: string[];
  private counter = 0;

  constructor(
    readonly dir: string,
    private readonly limits: SpoolLimits,
  ) {}

  get rejectedDir(): string {
    return join(this.dir, REJECTED_DIR);
  }

  async open(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: DIR_MODE });
    // A spool left by an earlier version (0755 folder, 0644 files) is tightened too.
    await chmod(this.dir, DIR_MODE);
    const names = (await readdir(this.dir)).filter((n) => FILE_PATTERN.test(n)).sort();
    this.files = await Promise.all(
      names.map(async (name) => {
        await chmod(join(this.dir, name), FILE_MODE);
        return { name, bytes: (await stat(join(this.dir, name))).size };
      }),
    );
    const last = names.at(-1);
    this.counter = last ? Number(FILE_PATTERN.exec(last)?.[1]) + 1 : 0;
  }

  get length(): number {
    return this.files.length;
  }

  /** Adds a snapshot at the tail; returns the files of the oldest snapshots dropped to stay in bounds. */
  async append(snapshotId: string, body: string): Promise<string[]> {
    const name = `${String(this.counter++).padStart(16, '0')}-${snapshotId}.json`;
    await writePrivate(join(this.dir, `.${name}.tmp`), join(this.dir, name), body);
    this.files.push({ name, bytes: Buffer.byteLength(body) });
    const dropped: string[] = [];
    while (this.files.length > 1 && (this.files.length > this.limits.maxFiles || this.totalBytes() > this.limits.maxBytes)) {
      dropped.push(this.files[0].name);
      await this.removeFile(this.files[0].name);
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

  /**
   * Moves a refused snapshot to rejected/<file>, with the answer in rejected/<file>.response.json
   * (written first: a snapshot is never there without its reason). Returns the rejected files
   * deleted to keep rejected/ within its limit (the oldest first).
   */
  async reject(file: string, rejection: Rejection, at = new Date()): Promise<string[]> {
    await mkdir(this.rejectedDir, { recursive: true, mode: DIR_MODE });
    const response = `${JSON.stringify({ file, status: rejection.status, rejectedAt: at.toISOString(), body: rejection.body }, null, 2)}\n`;
    await writePrivate(join(this.rejectedDir, `.${file}.response.json.tmp`), join(this.rejectedDir, `${file}.response.json`), response);
    this.rejectedFiles ??= (await readdir(this.rejectedDir)).filter((n) => FILE_PATTERN.test(n)).sort();
    await rename(join(this.dir, file), join(this.rejectedDir, file));
    this.files = this.files.filter((f) => f.name !== file);
    this.rejectedFiles.push(file);
    const dropped = this.rejectedFiles.splice(0, Math.max(0, this.rejectedFiles.length - (this.limits.maxRejected ?? MAX_REJECTED)));
    for (const name of dropped) {
      await unlinkIfPresent(join(this.rejectedDir, name));
      await unlinkIfPresent(join(this.rejectedDir, `${name}.response.json`));
    }
    return dropped;
  }

  private async removeFile(name: string): Promise<void> {
    this.files = this.files.filter((f) => f.name !== name);
    await unlinkIfPresent(join(this.dir, name));
  }

  private totalBytes(): number {
    return this.files.reduce((sum, f) => sum + f.bytes, 0);
  }
}

/** Writes `body` to a temporary name, owner-only whatever the umask, then renames it into place. */
async function writePrivate(temporary: string, final: string, body: string): Promise<void> {
  await writeFile(temporary, body, { mode: FILE_MODE });
  await chmod(temporary, FILE_MODE);
  await rename(temporary, final);
}

async function unlinkIfPresent(path: string): Promise<void> {
  await unlink(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
}
