import { familyOf, isPrefix, prefixFamily } from './address-syntax';
import { unsafeIdentifierReason, unstorableTextReason } from './snapshot-constants';

/**
 * The contract's rules that are code rather than a bound or a pattern, by name, without zod.
 * snapshot-schema.ts applies them through `superRefine` and the generated fast path
 * (snapshot-fast-path.generated.ts) calls them by the same name, so each rule is written once.
 */

/** String rules: why the value breaks the rule (the contract's message), or undefined. */
export const STRING_RULES = {
  /** Storable by PostgreSQL (no NUL, no lone surrogate): every free-text field. */
  storableText: unstorableTextReason,
  /** Storable, and no control or invisible character: every name. */
  identifier: unsafeIdentifierReason,
  notDotOrDotDot: (value: string) => (value === '.' || value === '..' ? 'cannot be "." or ".."' : undefined),
  routeDestination: (value: string) => (value === 'default' || isPrefix(value) ? undefined : 'must be "default", an address, or address/prefixlen'),
} satisfies Record<string, (value: string) => string | undefined>;
export type StringRuleName = keyof typeof STRING_RULES;

export interface RuleIssue {
  path: PropertyKey[];
  message: string;
}

/**
 * The fields the document rules read: a structural view of a Snapshot, so that the rules need
 * nothing from the schema that applies them (no import cycle).
 */
export interface SnapshotView {
  namespaces: ReadonlyArray<{
    kind: string;
    name: string;
    addresses?: ReadonlyArray<{ local: string; family: string; prefixlen: number }>;
    routes?: ReadonlyArray<{ dst: string; family: string }>;
    neighbors?: ReadonlyArray<{ dst: string; family: string }>;
  }>;
}

/** Document rules: the issues of a snapshot whose fields passed (zod runs them only then). */
export const SNAPSHOT_RULES = {
  crossField: crossFieldIssues,
} satisfies Record<string, (snapshot: SnapshotView) => RuleIssue[]>;
export type SnapshotRuleName = keyof typeof SNAPSHOT_RULES;

/** One host namespace named "host", unique names, and families that agree with the addresses. */
function crossFieldIssues(snapshot: SnapshotView): RuleIssue[] {
  const issues: RuleIssue[] = [];
  const hosts = snapshot.namespaces.filter((ns) => ns.kind === 'host');
  if (hosts.length !== 1) issues.push({ path: ['namespaces'], message: `must contain exactly one host namespace, found ${hosts.length}` });
  const seen = new Map<string, number>();
  snapshot.namespaces.forEach((ns, i) => {
    const first = seen.get(ns.name);
    if (first !== undefined) {
      issues.push({ path: ['namespaces', i, 'name'], message: `duplicates namespaces[${first}].name "${ns.name}"` });
    } else {
      seen.set(ns.name, i);
    }
    if (ns.kind === 'host' && ns.name !== 'host') issues.push({ path: ['namespaces', i, 'name'], message: 'the host namespace must be named "host"' });
    if (ns.kind === 'pod' && ns.name === 'host') issues.push({ path: ['namespaces', i, 'name'], message: 'a pod namespace cannot be named "host"' });
    ns.addresses?.forEach((a, j) => {
      const family = familyOf(a.local);
      if (family !== undefined && family !== a.family) {
        issues.push({ path: ['namespaces', i, 'addresses', j, 'family'], message: `is ${a.family} but local ${a.local} is ${family}` });
      }
      if (a.prefixlen > (a.family === 'inet' ? 32 : 128)) {
        issues.push({ path: ['namespaces', i, 'addresses', j, 'prefixlen'], message: `${a.prefixlen} is too long for ${a.family}` });
      }
    });
    ns.routes?.forEach((r, j) => {
      const family = r.dst === 'default' ? undefined : prefixFamily(r.dst);
      if (family !== undefined && family !== r.family) {
        issues.push({ path: ['namespaces', i, 'routes', j, 'dst'], message: `${r.dst} is not ${r.family}` });
      }
    });
    ns.neighbors?.forEach((n, j) => {
      const family = familyOf(n.dst);
      if (family !== undefined && family !== n.family) {
        issues.push({ path: ['namespaces', i, 'neighbors', j, 'family'], message: `is ${n.family} but dst ${n.dst} is ${family}` });
      }
    });
  });
  return issues;
}
