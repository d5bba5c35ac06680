import type { EvidenceFact, FactChangeEvent, Finding, HistoryOptions } from './check-types';
import { str } from './facts/node-index';
import { RULES } from './rules/catalogue';
import { makeFinding, sortFindings } from './rules/finding';

const RULE_ORDER = RULES.map((r) => r.id);
export const DEFAULT_FLAP_THRESHOLD = 3;
export const DEFAULT_HISTORY_WINDOW_MS = 15 * 60 * 1000;

/**
 * History rules over one node's recent changes, in time order (the order is re-established
 * here, so callers may pass them as stored). A rule fires when its pattern fits inside one
 * window of `windowMs` anywhere in the changes given; evidence lists the changes that made it.
 */
export function checkHistory(node: string, changes: readonly FactChangeEvent[], options: HistoryOptions = {}): Finding[] {
  const threshold = Math.max(1, options.flapThreshold ?? DEFAULT_FLAP_THRESHOLD);
  const windowMs = Math.max(1, options.windowMs ?? DEFAULT_HISTORY_WINDOW_MS);
  const ordered = [...changes].sort((a, b) => a.at.getTime() - b.at.getTime());
  const byFact = new Map<string, FactChangeEvent[]>();
  for (const change of ordered) {
    const id = `${change.ns}\u0000${change.kind}\u0000${change.key}`;
    byFact.set(id, [...(byFact.get(id) ?? []), change]);
  }
  const findings: Finding[] = [];
  for (const events of byFact.values()) {
    const { kind, ns, key } = events[0];
    if (kind === 'neighbor') findings.push(...macFlap(node, events, windowMs));
    else if (kind === 'route') findings.push(...routeFlap(node, events, threshold, windowMs));
    else if (kind === 'sysctl' && ns === 'host' && /^net\/ipv4\/conf\/[^/]+\/proxy_arp$/.test(key)) findings.push(...proxyArpToggles(node, events, threshold, windowMs));
  }
  return sortFindings(findings, RULE_ORDER);
}

/** The largest group of marked events that fits in one window, or undefined if smaller than `needed`. */
function densestWindow(events: FactChangeEvent[], needed: number, windowMs: number): FactChangeEvent[] | undefined {
  let best: FactChangeEvent[] | undefined;
  let start = 0;
  for (let end = 0; end < events.length; end++) {
    while (events[end].at.getTime() - events[start].at.getTime() > windowMs) start++;
    const span = events.slice(start, end + 1);
    if (span.length >= needed && (!best || span.length > best.length)) best = span;
  }
  return best;
}

function evidence(node: string, change: FactChangeEvent, attrs: 'before' | 'after'): EvidenceFact {
  return {
    node,
    ns: change.ns,
    kind: change.kind,
    key: change.key,
    attrs: change[attrs],
    ...(change.untimed ? {} : { at: change.at.toISOString() }),
    ...(change.line !== undefined ? { line: change.line } : {}),
  };
}

/** In-place lladdr changes (both versions have a MAC and they differ); state-only changes do not count. */
function macFlap(node: string, events: FactChangeEvent[], windowMs: number): Finding[] {
  const changes = events.filter((e) => {
    const before = str(e.before?.lladdr);
    const after = str(e.after?.lladdr);
    return before !== undefined && after !== undefined && before !== after;
  });
  const window = densestWindow(changes, 1, windowMs);
  if (!window) return [];
  const first = window[0];
  const dev = str(first.after?.dev) ?? first.key.split('|')[0];
  const dst = str(first.after?.dst) ?? first.key.split('|').pop();
  const macs = [str(first.before?.lladdr), ...window.map((e) => str(e.after?.lladdr))];
  const where = first.ns === 'host' ? `on node ${node}` : `in ${first.ns.replace(/^pod:/, 'pod ')} on node ${node}`;
  return [
    makeFinding(
      'NEIGHBOR_MAC_FLAP',
      node,
      `neighbor:${first.ns}|${first.key}`,
      `The neighbour ${dst} on ${dev} ${where} changed MAC ${window.length} time${window.length === 1 ? '' : 's'} (${macs.join(' → ')}).`,
      [evidence(node, first, 'before'), ...window.map((e) => evidence(node, e, 'after'))],
    ),
  ];
}

/** A re-add is an addition that follows a deletion of the same route key. */
function routeFlap(node: string, events: FactChangeEvent[], threshold: number, windowMs: number): Finding[] {
  const readds: FactChangeEvent[] = [];
  let deleted = false;
  for (const e of events) {
    if (e.before !== null && e.after === null) deleted = true;
    else if (e.before === null && e.after !== null && deleted) {
      readds.push(e);
      deleted = false;
    }
  }
  const window = densestWindow(readds, threshold, windowMs);
  if (!window) return [];
  const last = window[window.length - 1];
  const dst = str(last.after?.dst) ?? last.key;
  const dev = str(last.after?.dev);
  const where = last.ns === 'host' ? `on node ${node}` : `in ${last.ns.replace(/^pod:/, 'pod ')} on node ${node}`;
  const spanMs = window[window.length - 1].at.getTime() - window[0].at.getTime();
  const minutes = Math.max(1, Math.round(spanMs / 60000));
  // ip monitor without timestamps: every event of the capture is at one instant.
  const within = spanMs === 0 ? 'in a row (no time recorded between them)' : `within ${minutes} minute${minutes === 1 ? '' : 's'}`;
  return [
    makeFinding(
      'ROUTE_FLAP',
      node,
      `route:${last.ns}|${last.key}`,
      `The route ${dst}${dev ? ` dev ${dev}` : ''} ${where} was deleted and re-added ${window.length} times ${within}.`,
      window.map((e) => evidence(node, e, 'after')),
    ),
  ];
}

/** Value changes of one proxy_arp sysctl (creation and removal with the interface do not count). */
function proxyArpToggles(node: string, events: FactChangeEvent[], threshold: number, windowMs: number): Finding[] {
  const toggles = events.filter((e) => e.before !== null && e.after !== null && e.before.value !== e.after.value);
  const window = densestWindow(toggles, threshold, windowMs);
  if (!window) return [];
  const dev = window[0].key.split('/')[3];
  const values = [String(window[0].before?.value), ...window.map((e) => String(e.after?.value))];
  return [
    makeFinding(
      'PROXY_ARP_TOGGLED',
      node,
      `${dev.startsWith('cali') ? 'veth' : 'link'}:${dev}`,
      `proxy_arp on ${dev.startsWith('cali') ? 'host veth ' : ''}${dev} on node ${node} changed ${window.length} times (${values.join(' → ')}).`,
      [evidence(node, window[0], 'before'), ...window.map((e) => evidence(node, e, 'after'))],
    ),
  ];
}
