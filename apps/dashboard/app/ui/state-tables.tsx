import type { AddressFieldsFragment, LinkFieldsFragment, NeighborFieldsFragment, RouteFieldsFragment, SysctlFieldsFragment } from '../lib/generated/graphql';
import { compareAddressText } from '@routescope/snapshot';
import { formatRoute } from '../lib/fact-format';
import { EmptyState } from './empty-state';

// The current (or historical) state of one namespace, one table per section.

function Empty({ what }: { what: string }) {
  return <EmptyState title={`No ${what}`}>This namespace had no {what} at that time (or the collector did not capture them).</EmptyState>;
}

/** Addresses in numeric order (172.16.0.64 before 172.16.0.128), then by the rest of the key. */
function byAddress<T>(items: readonly T[], address: (item: T) => string, tie: (item: T) => string): T[] {
  return [...items].sort((a, b) => compareAddressText(address(a), address(b)) || tie(a).localeCompare(tie(b)));
}

export function RoutesTable({ routes, caption, highlightKey }: { routes: readonly RouteFieldsFragment[]; caption: string; highlightKey?: string }) {
  if (routes.length === 0) return <Empty what="routes" />;
  return (
    <div className="table-wrap" tabIndex={0}>
      <table className="data">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Destination</th>
            <th scope="col">Type</th>
            <th scope="col">Gateway</th>
            <th scope="col">Device</th>
            <th scope="col">Protocol</th>
            <th scope="col">Scope</th>
            <th scope="col">Table</th>
            <th scope="col" className="num">
              Metric
            </th>
            <th scope="col">As ip route</th>
          </tr>
        </thead>
        <tbody>
          {byAddress(routes, (r) => r.dst, (r) => r.key).map((r) => (
            <tr key={r.key} className={r.key === highlightKey ? 'highlight' : undefined} data-chosen-route={r.key === highlightKey ? 'true' : undefined}>
              <td className="mono">{r.dst}</td>
              <td>{r.type}</td>
              <td className="mono">{r.gateway ?? (r.nexthops.length ? r.nexthops.map((h) => h.gateway).join(', ') : '')}</td>
              <td className="mono">{r.dev ?? ''}</td>
              <td>{r.protocol}</td>
              <td>{r.scope}</td>
              <td>{r.table}</td>
              <td className="num">{r.metric}</td>
              <td className="fact">
                <code>{formatRoute(r as unknown as Record<string, unknown>)}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function NeighborsTable({ neighbors, caption }: { neighbors: readonly NeighborFieldsFragment[]; caption: string }) {
  if (neighbors.length === 0) return <Empty what="neighbours" />;
  return (
    <div className="table-wrap" tabIndex={0}>
      <table className="data">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Address</th>
            <th scope="col">Device</th>
            <th scope="col">Link-layer address</th>
            <th scope="col">State</th>
            <th scope="col">Flags</th>
          </tr>
        </thead>
        <tbody>
          {byAddress(neighbors, (n) => n.dst, (n) => n.key).map((n) => (
            <tr key={n.key}>
              <td className="mono">{n.dst}</td>
              <td className="mono">{n.dev}</td>
              <td className="mono">{n.lladdr ?? ''}</td>
              <td>{n.state === 'failed' || n.state === 'incomplete' ? <span className="badge bad">{n.state}</span> : (n.state ?? '')}</td>
              <td>{[n.proxy && 'proxy', n.router && 'router'].filter(Boolean).join(', ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function LinksTable({ links, caption }: { links: readonly LinkFieldsFragment[]; caption: string }) {
  if (links.length === 0) return <Empty what="links" />;
  return (
    <div className="table-wrap" tabIndex={0}>
      <table className="data">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Kind</th>
            <th scope="col">State</th>
            <th scope="col" className="num">
              MTU
            </th>
            <th scope="col">MAC</th>
            <th scope="col">Peer</th>
            <th scope="col">Flags</th>
          </tr>
        </thead>
        <tbody>
          {links.map((l) => (
            <tr key={l.name}>
              <td className="mono">{l.name}</td>
              <td>{l.kind ?? ''}</td>
              <td>{l.operState ?? ''}</td>
              <td className="num">{l.mtu ?? ''}</td>
              <td className="mono">{l.mac ?? ''}</td>
              <td className="mono">{l.peerName ? `@${l.peerName}` : l.peerIfindex !== null ? `@if${l.peerIfindex}${l.peerInOtherNetns ? ' (other netns)' : ''}` : ''}</td>
              <td>{l.flags.join(', ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function AddressesTable({ addresses, caption }: { addresses: readonly AddressFieldsFragment[]; caption: string }) {
  if (addresses.length === 0) return <Empty what="addresses" />;
  return (
    <div className="table-wrap" tabIndex={0}>
      <table className="data">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Device</th>
            <th scope="col">Family</th>
            <th scope="col">Address</th>
            <th scope="col">Scope</th>
            <th scope="col">Flags</th>
          </tr>
        </thead>
        <tbody>
          {byAddress(addresses, (a) => a.local, (a) => a.key).map((a) => (
            <tr key={a.key}>
              <td className="mono">{a.dev}</td>
              <td>{a.family}</td>
              <td className="mono">
                {a.local}/{a.prefixlen}
              </td>
              <td>{a.scope}</td>
              <td>{a.flags.join(', ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function SysctlsTable({ sysctls, caption }: { sysctls: readonly SysctlFieldsFragment[]; caption: string }) {
  if (sysctls.length === 0) return <Empty what="sysctls" />;
  return (
    <div className="table-wrap" tabIndex={0}>
      <table className="data">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Path (below /proc/sys)</th>
            <th scope="col">Value</th>
          </tr>
        </thead>
        <tbody>
          {sysctls.map((s) => (
            <tr key={s.path}>
              <td className="mono">{s.path}</td>
              <td className="mono">{s.value}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

