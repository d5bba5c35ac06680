import { Session } from 'node:inspector';
import { basename } from 'node:path';

export interface ProfileLine {
  fn: string;
  selfPct: number;
  selfMs: number;
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

/**
 * Runs `work` under V8's sampling profiler (this process, main thread) and returns the
 * functions with the most self time: the profile the report shows for a missed target.
 */
export async function profile<T>(work: () => Promise<T>, top = 12): Promise<{ result: T; lines: ProfileLine[]; idlePct: number }> {
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) => session.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result))));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 200 });
  await post('Profiler.start');
  let result: T;
  try {
    result = await work();
  } finally {
    // stop below
  }
  const { profile: p } = (await post('Profiler.stop')) as { profile: { nodes: ProfileNode[]; startTime: number; endTime: number; samples: number[] } };
  session.disconnect();
  const totalMs = (p.endTime - p.startTime) / 1000;
  const bySelf = new Map<string, number>();
  let samples = 0;
  for (const node of p.nodes) samples += node.hitCount ?? 0;
  let idle = 0;
  for (const node of p.nodes) {
    const hits = node.hitCount ?? 0;
    if (hits === 0) continue;
    const f = node.callFrame;
    if (f.functionName === '(idle)') idle += hits;
    const where = f.url ? `${basename(f.url)}:${f.lineNumber + 1}` : '';
    const name = `${f.functionName || '(anonymous)'}${where ? ` ${where}` : ''}`;
    bySelf.set(name, (bySelf.get(name) ?? 0) + hits);
  }
  const lines = [...bySelf.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([fn, hits]) => ({ fn, selfPct: Math.round((hits / samples) * 1000) / 10, selfMs: Math.round((hits / samples) * totalMs) }));
  return { result: result!, lines, idlePct: Math.round((idle / Math.max(1, samples)) * 1000) / 10 };
}
