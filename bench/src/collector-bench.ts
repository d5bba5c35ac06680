import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { round } from './measure';

export interface CollectorResult {
  skipped?: string;
  extraRoutes: number;
  runs: number;
  /** user + system CPU of one `collect`, including the ip(8) children it waits for */
  cpuMs?: { p50: number; max: number };
  wallMs?: { p50: number };
  /** peak RSS of the largest process of the run (GNU time %M: the node process) */
  peakRssMb?: { p50: number; max: number };
  facts?: number;
  /** the floor under any Node.js collector: `node -e ''` measured the same way (CPU ms, RSS MB) */
  nodeFloor?: { cpuMs: number; peakRssMb: number };
  /** collect / `node -e ''` in the same run: the figures issue #16 holds to ≤ 1.5× CPU and ≤ 1.2× RSS */
  ratioToFloor?: { cpu: number; rss: number };
}

/** Issue #16's targets for one collection, as multiples of the runtime alone (`node -e ''`). */
export const COLLECTOR_FLOOR_TARGETS = { cpu: 1.5, rss: 1.2 };

const PREFIX = 'rb-';

/** One `collect` of a netlab node carrying `extraRoutes` more block routes, timed by GNU time. */
export function benchCollector(root: string, extraRoutes: number, runs: number): CollectorResult {
  const netlab = join(root, 'tools/netlab/netlab');
  const collector = join(root, 'apps/collector/dist/routescope-collector.cjs');
  if (process.getuid?.() !== 0) return { skipped: 'needs root (network namespaces)', extraRoutes, runs: 0 };
  if (!existsSync(collector)) return { skipped: `no collector bundle at ${collector} (npm run build:collector)`, extraRoutes, runs: 0 };
  if (!existsSync('/usr/bin/time')) return { skipped: 'needs GNU time (/usr/bin/time)', extraRoutes, runs: 0 };
  const env = { ...process.env, NETLAB_PREFIX: PREFIX };
  const up = spawnSync(netlab, ['up'], { env, encoding: 'utf8' });
  if (up.status !== 0) return { skipped: `netlab up failed: ${up.stderr.trim()}`, extraRoutes, runs: 0 };
  const ns = `${PREFIX}node-a`;
  // 1,000 extra /26 routes through the VXLAN device, like 1,000 more nodes' blocks.
  const batch = Array.from({ length: extraRoutes }, (_, i) => `route replace 10.${200 + (i >> 12)}.${(i >> 2) & 255}.${(i & 3) * 64}/26 via 172.17.8.64 dev vxlan.calico onlink proto 80`).join('\n');
  const add = spawnSync('ip', ['-n', ns, '-batch', '-'], { input: batch, encoding: 'utf8' });
  if (add.status !== 0) return { skipped: `adding routes failed: ${add.stderr.trim()}`, extraRoutes, runs: 0 };
  try {
    const cpu: number[] = [];
    const wall: number[] = [];
    const rss: number[] = [];
    let facts = 0;
    for (let run = 0; run < runs + 1; run++) {
      const result = spawnSync('/usr/bin/time', ['-f', 'TIME %e %U %S %M', process.execPath, collector, 'collect', '--netns', ns, '--out', '-'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      if (result.status !== 0) return { skipped: `collect failed: ${result.stderr.trim().slice(0, 300)}`, extraRoutes, runs: 0 };
      const line = result.stderr.split('\n').find((l) => l.startsWith('TIME '));
      if (!line) throw new Error(`no GNU time line in: ${result.stderr}`);
      const [, e, u, s, m] = line.split(' ').map(Number);
      if (run === 0) {
        const snapshot = JSON.parse(result.stdout) as { namespaces: Array<Record<string, unknown[] | undefined>> };
        facts = snapshot.namespaces.reduce((n, x) => n + ['links', 'addresses', 'routes', 'neighbors', 'sysctls'].reduce((k, s2) => k + (x[s2]?.length ?? 0), 1), 0);
        continue; // the first run warms the page cache
      }
      cpu.push((u + s) * 1000);
      wall.push(e * 1000);
      rss.push(m / 1024);
    }
    const med = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
    const floorCpu: number[] = [];
    const floorRss: number[] = [];
    for (let run = 0; run < runs; run++) {
      const result = spawnSync('/usr/bin/time', ['-f', 'TIME %e %U %S %M', process.execPath, '-e', ''], { encoding: 'utf8' });
      const [, , u, s, m] = (result.stderr.split('\n').find((l) => l.startsWith('TIME ')) ?? 'TIME 0 0 0 0').split(' ').map(Number);
      floorCpu.push((u + s) * 1000);
      floorRss.push(m / 1024);
    }
    const floor = { cpuMs: round(med(floorCpu), 0), peakRssMb: round(med(floorRss), 1) };
    return {
      extraRoutes,
      runs,
      cpuMs: { p50: round(med(cpu), 0), max: round(Math.max(...cpu), 0) },
      wallMs: { p50: round(med(wall), 0) },
      peakRssMb: { p50: round(med(rss), 1), max: round(Math.max(...rss), 1) },
      facts,
      nodeFloor: floor,
      ratioToFloor: { cpu: round(med(cpu) / Math.max(1, floor.cpuMs), 2), rss: round(med(rss) / floor.peakRssMb, 2) },
    };
  } finally {
    const del = batch.replaceAll('route replace', 'route del').split('\n').map((l) => l.replace(/ via .*$/, '')).join('\n');
    spawnSync('ip', ['-n', ns, '-batch', '-'], { input: del, encoding: 'utf8' });
    spawnSync(netlab, ['down'], { env, encoding: 'utf8' });
  }
}
