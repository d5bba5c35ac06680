import type { BgpPeer, CalicoNodeStatus } from '../../evidence/capture-evidence';
import type { ParseWarning } from '../parse-result';
import { quote, readLines, WarningLog } from './text-input';

/**
 * `calicoctl node status`:
 *
 *   Calico process is running.
 *
 *   IPv4 BGP status
 *   +--------------+-------------------+-------+----------+-------------+
 *   | PEER ADDRESS |     PEER TYPE     | STATE |  SINCE   |    INFO     |
 *   +--------------+-------------------+-------+----------+-------------+
 *   | 172.17.8.102 | node-to-node mesh | up    | 23:30:04 | Established |
 *   | 172.17.8.103 | node-to-node mesh | start | 23:30:04 | Active Socket: Connection |
 *   |              |                   |       |          | refused     |
 *   +--------------+-------------------+-------+----------+-------------+
 *
 *   IPv6 BGP status
 *   No IPv6 peers found.
 *
 * A row whose peer cell is empty continues the INFO of the row above (calicoctl wraps long
 * info text). `Calico process is not running.` sets processRunning false. calicoctl 1.x
 * (`calicoctl status`) printed `calico-node container is running. Status: Up 28 minutes`.
 */

export interface CalicoctlStatusResult {
  status: CalicoNodeStatus;
  warnings: ParseWarning[];
  /** lines that belong to calicoctl's output; 0 means the text is not `calicoctl node status`. */
  recognised: number;
}

export function parseCalicoctlNodeStatusText(text: string): CalicoctlStatusResult {
  const log = new WarningLog();
  const status: CalicoNodeStatus = { peers: [], families: [] };
  let family: 'ipv4' | 'ipv6' | undefined;
  let recognised = 0;
  let last: BgpPeer | undefined;
  for (const { line, text: content } of readLines(text, log)) {
    // calicoctl 1.x: `calico-node container is running. Status: Up 28 minutes`
    if (/^calico-node container is running\b/i.test(content)) {
      status.processRunning = true;
      recognised++;
      continue;
    }
    if (/^calico-node container (?:is )?not running\b/i.test(content)) {
      status.processRunning = false;
      recognised++;
      continue;
    }
    if (/^Calico process is running\.?$/i.test(content)) {
      status.processRunning = true;
      recognised++;
      continue;
    }
    if (/^Calico process is not running\.?$/i.test(content)) {
      status.processRunning = false;
      recognised++;
      continue;
    }
    const heading = /^IPv([46]) BGP status$/i.exec(content);
    if (heading) {
      family = heading[1] === '4' ? 'ipv4' : 'ipv6';
      if (!status.families.includes(family)) status.families.push(family);
      last = undefined;
      recognised++;
      continue;
    }
    if (/^No IPv[46] peers found\.?$/i.test(content)) {
      recognised++;
      continue;
    }
    if (/^\+[-+]+\+$/.test(content)) {
      recognised++;
      continue;
    }
    if (content.startsWith('|')) {
      recognised++;
      const cells = content.replace(/^\|/, '').replace(/\|$/, '').split('|').map((c) => c.trim());
      if (cells[0]?.toUpperCase() === 'PEER ADDRESS') continue;
      if (cells.length < 5) {
        log.add(line, `peer row with ${cells.length} columns, expected 5 (peer, type, state, since, info): ${quote(content)}`);
        continue;
      }
      if (cells[0] === '') {
        if (last && cells[4]) last.info = `${last.info} ${cells[4]}`.trim().slice(0, 256);
        continue;
      }
      if (!family) {
        log.add(line, 'peer row before any "IPv4 BGP status" or "IPv6 BGP status" heading; taken as IPv4');
        family = 'ipv4';
        status.families.push(family);
      }
      last = { line, family, peer: cells[0], type: cells[1], state: cells[2], since: cells[3], info: cells.slice(4).join('|').trim() };
      if (status.peers.length < 10_000) status.peers.push(last);
      continue;
    }
    log.add(line, `not a line of calicoctl node status: ${quote(content)}`);
  }
  return { status, warnings: log.finish(), recognised };
}
