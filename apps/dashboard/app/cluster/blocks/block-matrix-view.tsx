import Link from 'next/link';
import type { BlockCellStatus } from '../../lib/generated/graphql';
import { nodeHref } from '../../lib/links';

export const STATUS: Record<BlockCellStatus, { label: string; tone: string; meaning: string }> = {
  OWNER: { label: 'owner', tone: 'owner', meaning: 'this node owns the block (blackhole route)' },
  OK: { label: 'ok', tone: 'ok', meaning: 'routed to the owner' },
  MISSING: { label: 'missing', tone: 'bad', meaning: 'no route to the block' },
  WRONG_NODE: { label: 'wrong node', tone: 'bad', meaning: 'routed via a node that does not own it' },
  SPLIT: { label: 'split', tone: 'warn', meaning: 'ECMP route whose next hops are not all the owner' },
  STALE: { label: 'stale', tone: 'warn', meaning: 'routed to a node that no longer owns it or is gone' },
};
export const STATUS_ORDER: BlockCellStatus[] = ['OWNER', 'OK', 'MISSING', 'WRONG_NODE', 'SPLIT', 'STALE'];

/** Up to this many nodes the page draws the full grid (a column per node); above, each block lists the nodes that need attention. */
export const GRID_MAX_NODES = 40;
/** Nodes listed per block in the list layout; the block's evidence panel lists them all. */
export const LISTED_PROBLEMS = 24;

export interface MatrixRow {
  cidr: string;
  owner: string;
  counts: { ok: number; problems: number };
  /** the cells that need attention; any other node of the matrix is OK (or the owner) */
  problems: Array<{ node: string; status: BlockCellStatus; detail: string | null }>;
}

/** A cell of a row, as the sparse matrix implies it: OWNER, a listed problem, else OK. */
export function cellOf(row: Pick<MatrixRow, 'owner' | 'problems'>, node: string): { status: BlockCellStatus; detail: string | null } {
  if (node === row.owner) return { status: 'OWNER', detail: null };
  return row.problems.find((c) => c.node === node) ?? { status: 'OK', detail: null };
}

interface Props {
  nodes: string[];
  rows: MatrixRow[];
  /** the link to a cell's evidence (`node` undefined: the block's) */
  hrefOf: (cidr: string, node?: string) => string;
  selected?: { block: string; node?: string };
}

/** One page of the block matrix: the full grid for a small cluster, the nodes that need attention per block for a large one. */
export function BlockMatrixView({ nodes, rows, hrefOf, selected }: Props) {
  return nodes.length <= GRID_MAX_NODES ? <Grid nodes={nodes} rows={rows} hrefOf={hrefOf} selected={selected} /> : <ProblemList nodes={nodes} rows={rows} hrefOf={hrefOf} selected={selected} />;
}

function Grid({ nodes, rows, hrefOf, selected }: Props) {
  return (
    <div className="table-wrap" tabIndex={0}>
      <table className="data matrix" data-testid="block-matrix" data-layout="grid">
        <caption className="visually-hidden">Routing of each block (rows) by each node (columns); each cell links to its evidence</caption>
        <thead>
          <tr>
            <th scope="col">Block (owner)</th>
            {nodes.map((n) => (
              <th scope="col" key={n}>
                <Link href={nodeHref(n)}>{n}</Link>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.cidr} data-block={row.cidr}>
              <th scope="row">
                <Link href={hrefOf(row.cidr)} scroll={false} aria-label={`Block ${row.cidr}, owned by ${row.owner}: show its evidence`}>
                  {row.cidr}
                </Link>{' '}
                <span className="card-note">({row.owner})</span>
              </th>
              {nodes.map((n) => {
                const cell = cellOf(row, n);
                const current = selected?.block === row.cidr && selected.node === n;
                return (
                  <td key={n} data-node={n} data-status={cell.status}>
                    <Link
                      className={`cell ${STATUS[cell.status].tone}`}
                      href={hrefOf(row.cidr, n)}
                      title={cell.detail ?? STATUS[cell.status].meaning}
                      aria-current={current ? 'true' : undefined}
                      aria-label={`${row.cidr} on ${n}: ${STATUS[cell.status].label}. Show evidence`}
                      scroll={false}
                    >
                      {STATUS[cell.status].label}
                    </Link>
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ProblemList({ nodes, rows, hrefOf, selected }: Props) {
  return (
    <div className="table-wrap" tabIndex={0}>
      <table className="data" data-testid="block-matrix" data-layout="list">
        <caption className="visually-hidden">
          Each block with its owner and the nodes that do not route it to the owner; every other of the {nodes.length} nodes routes it to its owner. Each entry links to its evidence.
        </caption>
        <thead>
          <tr>
            <th scope="col">Block</th>
            <th scope="col">Owner</th>
            <th scope="col">Routed to the owner</th>
            <th scope="col">Nodes that need attention</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => {
            const more = row.problems.length - LISTED_PROBLEMS;
            return (
              <tr key={row.cidr} data-block={row.cidr}>
                <th scope="row" className="mono">
                  <Link href={hrefOf(row.cidr)} scroll={false} aria-current={selected?.block === row.cidr && !selected.node ? 'true' : undefined}>
                    {row.cidr}
                  </Link>
                </th>
                <td data-node={row.owner} data-status="OWNER" style={{ whiteSpace: 'nowrap' }}>
                  <Link href={hrefOf(row.cidr, row.owner)} scroll={false} aria-label={`${row.cidr} is owned by ${row.owner}. Show evidence`}>
                    {row.owner}
                  </Link>
                </td>
                <td>
                  <span className={`cell ${row.counts.problems === 0 ? 'ok' : 'neutral'}`} style={{ minWidth: 0 }}>
                    {row.counts.ok} of {Math.max(nodes.length - 1, 0)} ok
                  </span>
                </td>
                <td>
                  {row.problems.length === 0 ? (
                    <span className="card-note">none</span>
                  ) : (
                    <ul className="chips" aria-label={`Nodes that need attention for ${row.cidr}`}>
                      {row.problems.slice(0, LISTED_PROBLEMS).map((cell) => (
                        <li key={cell.node} data-node={cell.node} data-status={cell.status}>
                          <Link
                            className={`cell ${STATUS[cell.status].tone}`}
                            style={{ minWidth: 0 }}
                            href={hrefOf(row.cidr, cell.node)}
                            title={cell.detail ?? STATUS[cell.status].meaning}
                            aria-current={selected?.block === row.cidr && selected.node === cell.node ? 'true' : undefined}
                            aria-label={`${row.cidr} on ${cell.node}: ${STATUS[cell.status].label}. Show evidence`}
                            scroll={false}
                          >
                            {cell.node}: {STATUS[cell.status].label}
                          </Link>
                        </li>
                      ))}
                      {more > 0 ? (
                        <li>
                          <Link href={hrefOf(row.cidr)} scroll={false}>
                            and {more} more
                          </Link>
                        </li>
                      ) : null}
                    </ul>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
