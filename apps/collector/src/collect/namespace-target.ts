import { runCommand, type CommandResult } from './command-runner';

/** Where to read kernel state from: this process's namespace, a named netns, or a netns file. */
export type NamespaceTarget =
  | { kind: 'current' }
  /** a name under /var/run/netns (iproute2's `ip netns`, containerd's `cni-<uuid>`). */
  | { kind: 'named'; name: string }
  /** a namespace file such as /proc/<pid>/ns/net, for namespaces nobody named. */
  | { kind: 'path'; path: string };

export const NETNS_RUN_DIR = '/var/run/netns';

export function describeTarget(target: NamespaceTarget): string {
  switch (target.kind) {
    case 'current':
      return 'the current network namespace';
    case 'named':
      return `network namespace ${target.name}`;
    case 'path':
      return `network namespace ${target.path}`;
  }
}

/**
 * `ip ARGS` inside the target namespace, with `input` on its standard input if given.
 * Named namespaces are entered with `nsenter --net` (setns(2) only), not `ip -n`: `ip -n` also
 * unshares a mount namespace and remounts /sys, i.e. needs mount(2), which the container
 * runtimes' default AppArmor profiles deny; every read here is netlink and needs no /sys.
 */
export function runIp(target: NamespaceTarget, args: readonly string[], input?: string): Promise<CommandResult> {
  const [program, ...rest] = commandIn(target, ['ip', ...args]);
  return runCommand(program, rest, input);
}

/**
 * `sh -c SCRIPT sh ARGS…` inside the target namespace, with `input` on its standard input: one
 * process (nsenter, then sh) that runs several readers, where each would otherwise be an exec
 * of its own from the collector.
 */
export function runShell(target: NamespaceTarget, script: string, args: readonly string[], input?: string): Promise<CommandResult> {
  const [program, ...rest] = commandIn(target, ['sh', '-c', script, 'sh', ...args]);
  return runCommand(program, rest, input);
}

/** `argv` as run inside the target namespace: as is for the current one, else through `nsenter --net` (setns(2) only, see runIp). */
export function commandIn(target: NamespaceTarget, argv: readonly string[]): string[] {
  switch (target.kind) {
    case 'current':
      return [...argv];
    case 'named':
      return ['nsenter', `--net=${NETNS_RUN_DIR}/${target.name}`, ...argv];
    case 'path':
      return ['nsenter', `--net=${target.path}`, ...argv];
  }
}

/**
 * Reads files below /proc/sys/net as seen from inside the target namespace (the kernel
 * answers /proc/sys/net reads for the reader's namespace, so the reader must be inside).
 * Output is grep's `path:value`; files that do not exist are skipped.
 */
export function readProcFiles(target: NamespaceTarget, paths: readonly string[]): Promise<CommandResult> {
  const [program, ...args] = commandIn(target, ['grep', '-H', '-s', '.', ...paths]);
  return runCommand(program, args);
}
