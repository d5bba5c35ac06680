import { FACT_KINDS, type Fact } from '@routescope/snapshot';
import { formatBytes, markdownTable, type Sample } from './measure';

// Issue #16's baseline, as network teams keep config history (RANCID/Oxidized): each snapshot of
// a node as `ip`-style text in a file, one git commit per snapshot, `git gc --aggressive`. This
// module is the pure part: the text a node's facts make, and the comparison with Routescope's own
// figures of the same run (bench/src/git-baseline.ts measures).

type Attrs = Record<string, unknown>;
const str = (v: unknown) => (v === undefined || v === null ? undefined : String(v));
const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : []);

/** One fact as the line `ip` (or `sysctl`) would print for it. */
export function ipTextLine(fact: Fact): string {
  const a = (fact.attrs ?? {}) as Attrs;
  switch (fact.kind) {
    case 'netns':
      return `netns ${fact.key} (${str(a['kind'])}${a['hostVeth'] ? `, host veth ${str(a['hostVeth'])}` : ''})`;
    case 'link': {
      const flags = list(a['flags']).join(',');
      const peer = a['peerIfindex'] !== undefined ? `@if${str(a['peerIfindex'])}` : '';
      const opts = [a['mtu'] !== undefined ? `mtu ${str(a['mtu'])}` : '', a['master'] ? `master ${str(a['master'])}` : '', `state ${str(a['operState']) ?? 'UNKNOWN'}`];
      const linkType = `link/${a['kind'] === 'ipip' ? 'ipip' : 'ether'}${a['mac'] ? ` ${str(a['mac'])}` : ''}`;
      return `${str(a['ifindex']) ?? '?'}: ${fact.key}${peer}: <${flags}> ${opts.filter(Boolean).join(' ')} ${linkType}${a['kind'] && a['kind'] !== 'ipip' ? ` ${str(a['kind'])}` : ''}`;
    }
    case 'address': {
      const extra = [a['peer'] ? `peer ${str(a['peer'])}` : '', a['broadcast'] ? `brd ${str(a['broadcast'])}` : '', `scope ${str(a['scope']) ?? 'global'}`, ...list(a['flags']), str(a['label']) ?? str(a['dev'])];
      return `${str(a['dev'])} ${str(a['family'])} ${str(a['local'])}/${str(a['prefixlen'])} ${extra.filter(Boolean).join(' ')}`;
    }
    case 'route': {
      const dst = a['dst'] === '0.0.0.0/0' || a['dst'] === '::/0' ? 'default' : str(a['dst']);
      const parts = [
        a['type'] && a['type'] !== 'unicast' ? str(a['type']) : '',
        dst,
        a['gateway'] ? `via ${str(a['gateway'])}` : '',
        a['dev'] ? `dev ${str(a['dev'])}` : '',
        a['table'] && a['table'] !== 'main' ? `table ${str(a['table'])}` : '',
        a['protocol'] && a['protocol'] !== 'boot' ? `proto ${str(a['protocol'])}` : '',
        a['scope'] && a['scope'] !== 'global' ? `scope ${str(a['scope'])}` : '',
        a['prefsrc'] ? `src ${str(a['prefsrc'])}` : '',
        a['metric'] ? `metric ${str(a['metric'])}` : '',
        a['mtu'] ? `mtu ${str(a['mtu'])}` : '',
        ...list(a['flags']),
      ];
      return parts.filter(Boolean).join(' ');
    }
    case 'neighbor':
      return [str(a['dst']), `dev ${str(a['dev'])}`, a['lladdr'] ? `lladdr ${str(a['lladdr'])}` : '', a['router'] ? 'router' : '', a['proxy'] ? 'proxy' : str(a['state'])].filter(Boolean).join(' ');
    case 'sysctl':
      return `${fact.key.replace(/\//g, '.')} = ${str(a['value'])}`;
  }
}

const SECTION: Record<Fact['kind'], string> = {
  netns: '# ip netns',
  link: '## ip -d link',
  address: '## ip -o addr',
  route: '## ip route show table all',
  neighbor: '## ip neigh',
  sysctl: '## sysctl',
};

/**
 * A node's facts (snapshotToFacts: the content Routescope stores, volatile fields already
 * normalised away, as an Oxidized model filters them) as the text file a RANCID-style job
 * commits: per namespace, the `ip` sections in a fixed order, one line per fact.
 */
export function renderIpText(node: string, facts: readonly Fact[]): string {
  const out = [`# ${node}`];
  const byNs = new Map<string, Fact[]>();
  for (const fact of facts) byNs.set(fact.ns, [...(byNs.get(fact.ns) ?? []), fact]);
  for (const [ns, nsFacts] of [...byNs].sort(([a], [b]) => (a === 'host' ? -1 : b === 'host' ? 1 : a < b ? -1 : a > b ? 1 : 0))) {
    out.push('', `### namespace ${ns}`);
    for (const kind of FACT_KINDS) {
      const lines = nsFacts
        .filter((f) => f.kind === kind)
        .map(ipTextLine)
        .sort();
      if (lines.length > 0) out.push(SECTION[kind], ...lines);
    }
  }
  return `${out.join('\n')}\n`;
}

export interface GitBaselineResult {
  mode: 'quick' | 'full';
  skipped?: string;
  git?: string;
  nodes: number;
  hours: number;
  /** commits made: one per snapshot per node */
  commits: number;
  /** the text of one node snapshot, mean bytes */
  meanFileBytes: number;
  /** the object store after `git gc --aggressive` (packs, indexes, loose objects): after the first snapshot of every node, and at the end */
  packedBytesInitial: number;
  packedBytesFinal: number;
  /** growth after the first snapshots, scaled to a day, per node (as the storage figure) */
  bytesPerNodeDay: number;
  gcSeconds: number;
  /** `git show <rev>:<node file>`, a random snapshot of a random node, wall ms (process included) */
  show: Sample;
  /** `git diff <rev> <rev an hour later> -- <node file>` (quick: the whole history when shorter) */
  diff: Sample;
  diffWindowHours: number;
  /** changed lines per diff, mean */
  meanDiffLines: number;
  durationS: number;
  /** against Routescope's figures of the same run (main.ts fills it in once every section ran) */
  comparison?: BaselineComparison[];
}

/** Routescope's figures of the same run the baseline is compared with (undefined: that section did not run). */
export interface RoutescopeFigures {
  /** storage: bytes per node-day (PostgreSQL, else PGlite) */
  bytesPerNodeDay?: { kind: string; value: number };
  /** queries: node.state(at) p95 ms */
  stateAtP95?: number;
  /** queries: one node's diff over 1 h, p95 ms */
  diffOverHourP95?: number;
  /** the history those queries ran on */
  queriesOn?: string;
}

export interface BaselineComparison {
  figure: string;
  git: string;
  routescope: string;
  /** Routescope / git: < 1 means Routescope is smaller or faster */
  ratio?: number;
  verdict: string;
}

/** Routescope's figures of the run the baseline is compared with: storage (PostgreSQL first) and the queries' p95s. */
export function gitBaselineFigures(r: {
  storage: ReadonlyArray<{ kind: string; bytesPerNodeDay: number }>;
  queries: ReadonlyArray<{ name: string; sample?: { p95: number } }>;
  history?: { nodes: number; days: number };
}): RoutescopeFigures {
  const storage = r.storage.find((s) => s.kind === 'postgres') ?? r.storage[0];
  const p95 = (name: string) => r.queries.find((q) => q.name === name)?.sample?.p95;
  return {
    bytesPerNodeDay: storage ? { kind: storage.kind, value: storage.bytesPerNodeDay } : undefined,
    stateAtP95: p95('state(at)'),
    diffOverHourP95: p95('diff over 1 h'),
    queriesOn: r.history ? `${r.history.nodes.toLocaleString('en')} nodes × ${r.history.days} days` : undefined,
  };
}

/** Routescope against the packed git history, figure by figure: smaller, and faster on both reads? */
export function compareWithGit(g: GitBaselineResult, r: RoutescopeFigures): BaselineComparison[] {
  const quick = g.mode === 'quick' ? ' (quick: not asserted)' : '';
  const row = (figure: string, git: number, routescope: number | undefined, unit: (v: number) => string, better: string, worse: string): BaselineComparison => {
    if (routescope === undefined) return { figure, git: unit(git), routescope: 'not measured in this run', verdict: 'n/a' };
    const ratio = Math.round((routescope / Math.max(git, 1e-9)) * 100) / 100;
    return { figure, git: unit(git), routescope: unit(routescope), ratio, verdict: `${routescope < git ? better : worse}${quick}` };
  };
  const ms = (v: number) => `${v < 10 ? v.toFixed(2) : v.toFixed(1)} ms`;
  return [
    row(`bytes per node-day${r.bytesPerNodeDay ? ` (Routescope on ${r.bytesPerNodeDay.kind})` : ''}`, g.bytesPerNodeDay, r.bytesPerNodeDay?.value, formatBytes, 'Routescope smaller', 'git smaller'),
    row('state at T, p95 (git show <rev>:<file> vs node.state(at))', g.show.p95, r.stateAtP95, ms, 'Routescope faster', 'git faster'),
    row(`changes over ${g.diffWindowHours} h of a node, p95 (git diff vs diff(node, from, to) over 1 h)`, g.diff.p95, r.diffOverHourP95, ms, 'Routescope faster', 'git faster'),
  ];
}

/** The report's section (markdown), in the style of report.ts. */
export function renderGitBaselineSection(g: GitBaselineResult, r: RoutescopeFigures): string {
  const out: string[] = [];
  const line = (s = '') => out.push(s);
  line(`## Baseline: RANCID/Oxidized-style text in git (${g.mode}${g.mode === 'quick' ? ': a small history, figures not comparable with a full run' : ''})`);
  if (g.skipped) {
    line(`skipped: ${g.skipped}`);
    line();
    return `${out.join('\n')}\n`;
  }
  for (const l of markdownTable(
    ['figure', 'git (packed, aggressive)', 'Routescope (same run)', 'Routescope / git', 'verdict'],
    compareWithGit(g, r).map((c) => [c.figure, c.git, c.routescope, c.ratio === undefined ? '' : `${c.ratio}×`, c.verdict]),
  ))
    line(l);
  line(
    `The storage figure's snapshots (libs/synth, ${g.nodes} nodes, a snapshot every 30 s for ${g.hours} h) rendered as \`ip\`-style text (~${formatBytes(g.meanFileBytes)} per node snapshot), ` +
      `one commit per snapshot per node (${g.commits.toLocaleString('en')} commits, git fast-import), \`git gc --aggressive\` (${g.gcSeconds} s); pack ${formatBytes(g.packedBytesInitial)} after the first snapshots, ${formatBytes(g.packedBytesFinal)} at the end: ` +
      `growth × 24 h / ${g.hours} h / ${g.nodes} nodes. Reads are the commands a user runs (process start included), ${g.show.count} each, p50 / p95 ms: ` +
      `git show ${g.show.p50} / ${g.show.p95}, git diff ${g.diff.p50} / ${g.diff.p95} (${g.meanDiffLines} changed lines on average). ` +
      `Routescope's reads are GraphQL over HTTP${r.queriesOn ? ` on ${r.queriesOn}` : ''}. ${g.git ?? ''}`,
  );
  line();
  return `${out.join('\n')}\n`;
}
