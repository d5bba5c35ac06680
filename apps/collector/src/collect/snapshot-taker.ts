import { release } from 'node:os';
import { SCHEMA_VERSION, formatValidationIssues, validateSnapshot, type Snapshot } from '@routescope/snapshot';
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
  /** `ip -V`'s version, read with the first snapshot (null: it printed nothing). */
  private iproute2?: string | null;

  constructor(
    readonly target: NamespaceTarget,
    readonly node: string,
  ) {}

  async takeSnapshot(): Promise<Snapshot> {
    const takenAt = new Date().toISOString();
    const state = await collectNode(this.target, { iproute2Version: this.iproute2 === undefined });
    if (state.iproute2Output !== undefined) this.iproute2 = iproute2Version(state.iproute2Output) ?? null;
    const iproute2 = this.iproute2 ?? undefined;
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

/** The version in `ip -V`'s output ("ip utility, iproute2-6.1.0, libbpf 1.1.2"), else its first 128 characters. */
function iproute2Version(output: string): string | undefined {
  return /iproute2-([\w.-]+?)(,|\s|$)/.exec(output)?.[1] ?? (output.trim().slice(0, 128) || undefined);
}
