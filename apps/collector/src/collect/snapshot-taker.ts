import { release } from 'node:os';
import { SCHEMA_VERSION, formatValidationIssues, validateSnapshot, type Snapshot } from '@routescope/snapshot';
import { runCommand } from './command-runner';
import { collectNode } from './node-collector';
import { randomUuid } from './random-uuid';
import type { NamespaceTarget } from './namespace-target';

declare const COLLECTOR_VERSION: string | undefined;

/** Set by the bundler; `dev` when run from source (tests). */
export const collectorVersion = typeof COLLECTOR_VERSION === 'string' ? COLLECTOR_VERSION : 'dev';

/** Identity of one collector process: snapshots from one boot are numbered 0, 1, 2, ... */
export class CollectorSession {
  readonly bootId = randomUuid();
  private nextSeq = 0;
  private iproute2?: Promise<string | undefined>;

  constructor(
    readonly target: NamespaceTarget,
    readonly node: string,
  ) {}

  async takeSnapshot(): Promise<Snapshot> {
    const takenAt = new Date().toISOString();
    this.iproute2 ??= iproute2Version();
    const [state, iproute2] = await Promise.all([collectNode(this.target), this.iproute2]);
    const snapshot: Snapshot = {
      schemaVersion: SCHEMA_VERSION,
      snapshotId: randomUuid(),
      node: this.node,
      collector: { version: collectorVersion, bootId: this.bootId, seq: this.nextSeq++, source: 'collect' },
      takenAt,
      kernel: release(),
      ...(iproute2 ? { iproute2 } : {}),
      namespaces: state.namespaces,
      warnings: state.warnings.slice(0, 1000),
    };
    // The contract is checked here too, so a collector bug shows on the node, not as a 400 later.
    // Valid snapshots pass the contract's zod-free fast path; zod is loaded only to word what is wrong.
    const validation = validateSnapshot(snapshot);
    if (!validation.ok) throw new Error(`collected snapshot breaks the contract:\n${formatValidationIssues(validation.issues)}`);
    return validation.snapshot;
  }
}

async function iproute2Version(): Promise<string | undefined> {
  const result = await runCommand('ip', ['-V']);
  return /iproute2-([\w.-]+?)(,|\s|$)/.exec(result.stdout)?.[1] ?? (result.stdout.trim().slice(0, 128) || undefined);
}
