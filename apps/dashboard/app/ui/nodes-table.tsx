import Link from 'next/link';
import type { NodeRow } from '../lib/data';
import type { NodeSortKey, OverviewParams } from '../lib/search-params';
import { formatDuration, formatRelative, formatUtc } from '../lib/time';
import { SEVERITY_ORDER, SeverityBadge, StatusBadge } from './badges';

/** Every column but the data gaps sorts (the API orders by it, over every node); `sort` is its URL value. */
const COLUMNS: ReadonlyArray<{ label: string; sort?: NodeSortKey; numeric?: boolean }> = [
  { sort: 'name', label: 'Node' },
  { sort: 'status', label: 'Status' },
  { sort: 'lastSeen', label: 'Last seen' },
  { label: 'Data gaps (24 h)', numeric: true },
  { sort: 'findings', label: 'Open findings' },
  { sort: 'changes', label: 'Changes (24 h)', numeric: true },
];

const SORT_HINTS: Record<NodeSortKey, { asc: string; desc: string }> = {
  name: { asc: 'A to Z', desc: 'Z to A' },
  status: { asc: 'silent first', desc: 'reporting first' },
  lastSeen: { asc: 'oldest first', desc: 'newest first' },
  findings: { asc: 'fewest first', desc: 'worst first' },
  changes: { asc: 'fewest first', desc: 'most first' },
};

export function NodesTable({ rows, params, hrefFor, now }: { rows: NodeRow[]; params: OverviewParams; hrefFor: (patch: Partial<Record<string, string | undefined>>) => string; now: Date }) {
  const columns = COLUMNS;
  return (
    <div className="table-wrap" tabIndex={0}>
      <table className="data" data-testid="nodes-table">
        <caption className="visually-hidden">
          Nodes, sorted by {columns.find((c) => c.sort === params.sort)?.label ?? 'name'} ({params.dir === 'asc' ? 'ascending' : 'descending'}, {SORT_HINTS[params.sort][params.dir]})
        </caption>
        <thead>
          <tr>
            {columns.map((column) => {
              const className = column.numeric ? 'num' : undefined;
              if (!column.sort) {
                return (
                  <th key={column.label} scope="col" className={className}>
                    {column.label}
                  </th>
                );
              }
              const active = params.sort === column.sort;
              // Numbers read best largest first; names, status and times from the start.
              const firstDir = column.numeric || column.sort === 'findings' ? 'desc' : 'asc';
              const nextDir = active ? (params.dir === 'asc' ? 'desc' : 'asc') : firstDir;
              return (
                <th key={column.label} scope="col" className={className} aria-sort={active ? (params.dir === 'asc' ? 'ascending' : 'descending') : undefined}>
                  {/* A new order starts again at its first page: a cursor belongs to the order it came from. */}
                  <Link className="sort" href={hrefFor({ sort: column.sort, dir: nextDir, after: undefined, offset: undefined })} scroll={false}>
                    {column.label}
                    <span className="sort-icon" aria-hidden="true">
                      {active ? (params.dir === 'asc' ? '▲' : '▼') : '↕'}
                    </span>
                    <span className="visually-hidden">
                      , sort {nextDir === 'asc' ? 'ascending' : 'descending'} ({SORT_HINTS[column.sort][nextDir]})
                    </span>
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
              <td className="num">{row.changes}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
