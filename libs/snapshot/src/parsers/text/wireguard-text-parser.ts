import type { WireguardInterface } from '../../evidence/capture-evidence';
import type { ParseWarning } from '../parse-result';
import { quote, readLines, WarningLog } from './text-input';

/**
 * `wg show` and `wg showconf IFACE` into interfaces and peers. Key material (private,
 * public and preshared keys) is never kept, not even in a warning: `public key:`,
 * `PrivateKey = …` and the key after `peer:` / `PublicKey` are read past.
 *
 *   interface: wireguard.cali                     [Interface]
 *     public key: …                               ListenPort = 51820
 *     listening port: 51820                       FwMark = 0x100000
 *   peer: …                                       [Peer]
 *     endpoint: 192.168.56.12:51820               Endpoint = 192.168.56.12:51820
 *     allowed ips: 10.244.2.0/26                  AllowedIPs = 10.244.2.0/26
 *     latest handshake: 1 minute, 2 seconds ago
 *     transfer: 1.2 KiB received, 3.4 KiB sent
 */

export interface WireguardTextResult {
  interfaces: WireguardInterface[];
  warnings: ParseWarning[];
}

const KEY_FIELDS = /^(?:public key|private key|preshared key|privatekey|publickey|presharedkey)$/i;

export function parseWireguardText(text: string, options: { ns: string; showconfInterface?: string }): WireguardTextResult {
  const log = new WarningLog();
  const interfaces: WireguardInterface[] = [];
  let iface: WireguardInterface | undefined;
  let peer: WireguardInterface['peers'][number] | undefined;
  const newInterface = (line: number, name: string): WireguardInterface => {
    const created: WireguardInterface = { line, ns: options.ns, name: name.slice(0, 15), peers: [] };
    interfaces.push(created);
    iface = created;
    peer = undefined;
    return created;
  };
  for (const { line, text: content } of readLines(text, log)) {
    if (/^\[Interface\]$/i.test(content)) {
      newInterface(line, options.showconfInterface ?? 'wg');
      continue;
    }
    if (/^\[Peer\]$/i.test(content)) {
      const owner = iface ?? newInterface(line, options.showconfInterface ?? 'wg');
      peer = { line, allowedIps: [] };
      owner.peers.push(peer);
      continue;
    }
    // The field name runs up to the first ':' or '=' (a regex with a lazy name and \s* would backtrack).
    const cut = content.search(/[:=]/);
    const name = cut > 0 ? content.slice(0, cut).trim() : '';
    const m = /^[A-Za-z][A-Za-z ]{0,30}$/.test(name) ? [content, name, content.slice(cut + 1)] : undefined;
    if (!m) {
      log.add(line, `not a line of wg output: ${quote(content.replace(/[A-Za-z0-9+/]{43}=/g, '<key>'))}`);
      continue;
    }
    const key = m[1].toLowerCase();
    const value = m[2].trim();
    if (KEY_FIELDS.test(key)) continue;
    if (key === 'interface') {
      newInterface(line, value);
      continue;
    }
    if (key === 'peer') {
      const owner = iface ?? newInterface(line, options.showconfInterface ?? 'wg');
      peer = { line, allowedIps: [] };
      owner.peers.push(peer);
      continue;
    }
    if (!iface) {
      log.add(line, `wg line before any interface: ${quote(m[1])}`);
      continue;
    }
    switch (key.replace(/ /g, '')) {
      case 'listeningport':
      case 'listenport':
        if (/^\d{1,5}$/.test(value)) iface.listenPort = Number(value);
        break;
      case 'fwmark':
        iface.fwmark = value.slice(0, 32);
        break;
      case 'endpoint':
        if (peer) peer.endpoint = value.slice(0, 128);
        break;
      case 'allowedips':
        if (peer) peer.allowedIps = value === '(none)' ? [] : value.split(/\s*,\s*/).filter((v) => v !== '').slice(0, 256);
        break;
      case 'latesthandshake':
        if (peer) peer.latestHandshake = value.slice(0, 128);
        break;
      case 'transfer':
        if (peer) peer.transfer = value.slice(0, 128);
        break;
      case 'persistentkeepalive':
        if (peer) peer.persistentKeepalive = value.slice(0, 64);
        break;
      default:
        log.add(line, `wg field ${quote(m[1])} not recorded`);
    }
  }
  return { interfaces, warnings: log.finish() };
}
