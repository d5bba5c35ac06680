import { PASSING_VERDICTS, type ProbeResult } from '@routescope/probe';
import { EXIT_OK, EXIT_PROBLEMS } from './command-line';

/** The probe could not run (no tcpdump, pod not found, not allowed): nothing was judged. */
export const EXIT_PROBE_UNAVAILABLE = 3;

/** 0 verified/answered, 1 any other verdict (the probe ran and the model does not hold), 3 unavailable. */
export function probeExitCode(result: Pick<ProbeResult, 'verdict'>): number {
  if (result.verdict === 'unavailable') return EXIT_PROBE_UNAVAILABLE;
  return PASSING_VERDICTS.includes(result.verdict) ? EXIT_OK : EXIT_PROBLEMS;
}

/** A probe result for a terminal: verdict and why, ping counts, the path, then each capture's raw tcpdump lines. */
export function formatProbeResult(result: ProbeResult): string {
  const what = result.kind === 'path' ? `path probe from pod ${result.pod} to ${result.target}` : `proxy-arp probe of pod ${result.pod}`;
  const lines = [`${what} on node ${result.node}: ${result.verdict}`];
  if (result.reason) lines.push(`  ${result.reason}`);
  if (result.verdict !== 'unavailable') lines.push(`  ping: ${result.ping.sent} sent, ${result.ping.received} received`);
  if (result.path) {
    const p = result.path;
    lines.push(
      `  path: left the pod: ${yes(p.leftPod)}; egress device: ${p.egressDevice ?? 'none (no route)'}; left the node: ${yes(p.leftNode)}; answered: ${yes(p.answered)}`,
    );
    if (p.stoppedAt) lines.push(`  stopped: ${p.stoppedAt}`);
  }
  for (const capture of result.captures) {
    const where = capture.netns ? ` in ${capture.netns}` : '';
    lines.push('', `  ${capture.point} capture on ${capture.device}${where}: ${capture.frames.length} frame${capture.frames.length === 1 ? '' : 's'}`);
    for (const line of capture.lines) lines.push(`    ${line}`);
  }
  lines.push('', `  ${result.startedAt} → ${result.finishedAt}`);
  return `${lines.join('\n')}\n`;
}

function yes(value: boolean): string {
  return value ? 'yes' : 'no';
}
