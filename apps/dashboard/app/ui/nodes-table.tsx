import Link from 'next/link';
import type { NodeRow } from '../lib/data';
import type { NodeSortKey, OverviewParams } from '../lib/search-params';
import { formatDuration, formatRelative, formatUtc } from '../lib/time';
import { SEVERITY_ORDER, SeverityBadge, StatusBadge } from './badges';

const COLUMNS: ReadonlyArray<{ key: NodeSortKey; label: string; numeric?: boolean }> = [
  { key: 'name', label: 'Node' },
  { key: 'status', label: 'Status' },
  { key: 'lastSeen', label: 'Last seen' },
  { key: 'gaps', label: 'Data gaps (24 h)', numeric: true },
  { key: 'findings', label: 'Open findings' },
  { key: 'changes', label: 'Changes (24 h)', numeric: true },
];

export function NodesTable({ rows, params, hrefFor, now }: { rows: NodeRow[]; params: OverviewParams; hrefFor: (patch: Partial<Record<string, string | undefined>>) => string; now: Date }) {
  const columns = COLUMNS;
  return (
    <div className="table-wrap">
      <table className="data" data-testid="nodes-table">
        <caption className="visually-hidden">Nodes, sorted by {columns.find((c) => c.key === params.sort)?.label ?? 'name'} ({params.dir === 'asc' ? 'ascending' : 'descending'})</caption>
        <thead>
          <tr>
            {columns.map((column) => {
              const active = params.sort === column.key;
              const nextDir = active && params.dir === 'asc' ? 'desc' : 'asc';
              return (
                <th key={column.key} scope="col" className={column.numeric ? 'num' : undefined} aria-sort={active ? (params.dir === 'asc' ? 'ascending' : 'descending') : undefined}>
                  <Link className="sort" href={hrefFor({ sort: column.key, dir: nextDir })} scroll={false}>
                    {column.label}
                    <span className="sort-icon" aria-hidden="true">
                      {active ? (params.dir === 'asc' ? '▲' : '▼') : '↕'}
                    </span>
                    <span className="visually-hidden">, sort {nextDir === 'asc' ? 'ascending' : 'descending'}</span>
                  </Link>
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.name} data-node={row.name}>
              <th scope="row" style={{ fontWeight: 550 }}>
                <Link href={`/nodes/${encodeURIComponent(row.name)}`}>{row.name}</Link>
              </th>
              <td>
                <StatusBadge status={row.status} />
              </td>
              <td>
                <time dateTime={row.lastSeenAt} title={formatUtc(row.lastSeenAt)}>
                  {formatRelative(row.lastSeenAt, now)}
                </time>
              </td>
              <td className="num">{row.gapCount === 0 ? <span className="card-note">none</span> : `${row.gapCount} · ${formatDuration(row.gapMs)}`}</td>
              <td>
                <span className="sev-counts">
                  {SEVERITY_ORDER.filter((s) => (row.findings[s] ?? 0) > 0).map((s) => (
                    <SeverityBadge key={s} severity={s} count={row.findings[s]} />
                  ))}
                  {SEVERITY_ORDER.every((s) => !row.findings[s]) ? <span className="card-note">none</span> : null}
                </span>
              </td>
              <td className="num">
                {row.changes}
                {row.changesCapped ? '+' : ''}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
