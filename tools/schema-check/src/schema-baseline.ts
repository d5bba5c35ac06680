import { execFileSync } from 'node:child_process';

/**
 * Which commit holds "the previous release" of the schemas:
 *  1. ROUTESCOPE_SCHEMA_BASE (any revision) when set;
 *  2. else the newest `v*` or `release/*` tag that HEAD contains;
 *  3. else, on a branch, where it left main (merge-base of HEAD and `main`, or `origin/main`);
 *     on main itself (or detached on its line), HEAD's first parent: the state before the last
 *     merge or commit, which is what CI on main judges;
 *  4. else (no main ref) HEAD's first parent.
 * No network: a shallow clone that lacks that commit fails with what to do, never fetches.
 */
export interface Baseline {
  revision: string;
  reason: string;
}

export class BaselineError extends Error {}

export function git(cwd: string, args: string[]): string | undefined {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

export function resolveBaseline(cwd: string, env: NodeJS.ProcessEnv = process.env): Baseline {
  if (git(cwd, ['rev-parse', '--git-dir']) === undefined) throw new BaselineError(`${cwd} is not a git repository: the schema check compares with the git history`);
  const verified = (revision: string, reason: string): Baseline => {
    const commit = git(cwd, ['rev-parse', '--verify', '--quiet', `${revision}^{commit}`]);
    if (commit) return { revision: commit, reason };
    if (git(cwd, ['rev-parse', '--is-shallow-repository']) === 'true') {
      throw new BaselineError(
        `this is a shallow clone and ${revision} (${reason}) is not in it: clone with full history (git fetch --unshallow) or set ROUTESCOPE_SCHEMA_BASE to a commit you have`,
      );
    }
    throw new BaselineError(`${revision} (${reason}) is not a commit in this repository`);
  };
  const override = env.ROUTESCOPE_SCHEMA_BASE?.trim();
  if (override) return verified(override, 'ROUTESCOPE_SCHEMA_BASE');
  const tag = git(cwd, ['describe', '--tags', '--abbrev=0', '--match', 'v*', '--match', 'release/*', 'HEAD']);
  if (tag) return verified(tag, `release tag ${tag}`);
  const head = git(cwd, ['rev-parse', 'HEAD']);
  if (!head) throw new BaselineError('the repository has no commit yet');
  const main = ['main', 'origin/main'].find((ref) => git(cwd, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]));
  if (main) {
    const fork = git(cwd, ['merge-base', 'HEAD', main]);
    // A branch compares with where it left main even before its first commit (the changes are in the working tree).
    const onBranch = !['main', undefined].includes(git(cwd, ['symbolic-ref', '--quiet', '--short', 'HEAD']));
    if (fork && (onBranch || fork !== head)) return verified(fork, `where HEAD left ${main}`);
  }
  if (git(cwd, ['rev-parse', '--is-shallow-repository']) !== 'true' && git(cwd, ['rev-list', '--count', 'HEAD']) === '1') {
    return { revision: '', reason: 'the first commit: nothing released before it' };
  }
  return verified('HEAD^1', main ? `HEAD is on ${main}: its first parent` : "no main branch: HEAD's first parent");
}

/** The file as committed at `revision`, or undefined when it did not exist there. */
export function fileAt(cwd: string, revision: string, path: string): string | undefined {
  if (!revision) return undefined;
  try {
    return execFileSync('git', ['show', `${revision}:${path}`], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 * 1024 * 1024 });
  } catch {
    return undefined;
  }
}
