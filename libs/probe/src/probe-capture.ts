import { parseTcpdumpText, storableText } from '@routescope/snapshot';
import { PROBE_LIMITS, type CapturePoint } from './probe-constants';
import type { ProbeCapture } from './probe-types';

export interface CaptureSource {
  point: CapturePoint;
  device: string;
  /** the namespace tcpdump ran in, when it is a named one */
  netns?: string;
  /** the pod probed: frames captured inside it are in namespace `pod:<pod>` (as in a pasted capture) */
  pod: string;
}

/**
 * A capture from tcpdump's output: at most PROBE_LIMITS.maxCaptureLines lines of at most
 * maxLineLength characters (tcpdump's own chatter dropped), and its frames as libs/snapshot's
 * tcpdump parser reads them. Returns how many frame lines were left out.
 */
export function captureFromOutput(source: CaptureSource, output: string): { capture: ProbeCapture; droppedLines: number } {
  const all = output.split(/\r?\n/).filter((line) => line.trim() !== '' && !isChatter(line));
  const lines = all.slice(0, PROBE_LIMITS.maxCaptureLines).map((line) => storableText(line, PROBE_LIMITS.maxLineLength));
  const ns = source.point === 'pod' ? `pod:${source.pod}` : 'host';
  const { frames } = parseTcpdumpText(lines.join('\n'), { ns, interface: source.device });
  const capture: ProbeCapture = { point: source.point, device: source.device, lines, frames };
  if (source.netns !== undefined) capture.netns = source.netns;
  return { capture, droppedLines: all.length - lines.length };
}

/** tcpdump's own lines (on stderr normally, but a merged stream may carry them). */
function isChatter(line: string): boolean {
  return /^(?:tcpdump: |listening on |\d+ packets? (?:captured|received by filter|dropped by kernel))/.test(line.trim());
}
