import type { Metadata } from 'next';
import Form from 'next/form';
import Link from 'next/link';
import { fetchBlockMatrix, load, type BlockMatrix } from '../../lib/data';
import { formatFact, KIND_LABELS, namespaceLabel, type FactKindName } from '../../lib/fact-format';
import type { BlockCellStatus } from '../../lib/generated/graphql';
import { diffHref, hrefWith, nodeHref } from '../../lib/links';
import { first, nodeNameSchema, parseNodeParams } from '../../lib/search-params';
import { formatUtc, HOUR, toInputValue, toIso } from '../../lib/time';
import { ApiProblemPanel } from '../../ui/api-problem-panel';
import { EmptyState } from '../../ui/empty-state';
import { LiveUpdates } from '../../ui/live-updates';

export const metadata: Metadata = { title: 'Cluster blocks' };

const STATUS: Record<BlockCellStatus, { label: string; tone: string; meaning: string }> = {
  OWNER: { label: 'owner', tone: 'owner', meaning: 'this node owns the block (blackhole route)' },
  OK: { label: 'ok', tone: 'ok', meaning: 'routed to the owner' },
  MISSING: { label: 'missing', tone: 'bad', meaning: 'no route to the block' },
  WRONG_NODE: { label: 'wrong node', tone: 'bad', meaning: 'routed via a node that does not own it' },
  SPLIT: { label: 'split', tone: 'warn', meaning: 'ECMP route whose next hops are not all the owner' },
  STALE: { label: 'stale', tone: 'warn', meaning: 'routed to a node that no longer owns it or is gone' },
};
const STATUS_ORDER: BlockCellStatus[] = ['OWNER', 'OK', 'MISSING', 'WRONG_NODE', 'SPLIT', 'STALE'];

interface EvidenceFact {
  node?: string;
  ns?: string;
  kind?: string;
  key?: string;
  attrs?: unknown;
}

function evidenceOf(value: unknown): EvidenceFact[] {
  return Array.isArray(value) ? (value.filter((v) => v && typeof v === 'object') as EvidenceFact[]) : [];
}

function cellHref(at: Date | undefined, cidr: string, node: string): string {
  return `${hrefWith('/cluster/blocks', { at: at ? toIso(at) : undefined, block: cidr, node })}#evidence`;
}

function Evidence({ matrix, cidr, node, at }: { matrix: BlockMatrix; cidr: string; node: string; at: Date | undefined }) {
  const row = matrix.blocks.find((b) => b.cidr === cidr);
  const cell = row?.cells.find((c) => c.node === node);
  if (!row || !cell) {
    return (
      <section className="card" id="evidence" aria-labelledby="evidence-title">
        <h2 id="evidence-title">Evidence</h2>
        <EmptyState title="No such cell">Block {cidr} has no cell for node {node} at this time.</EmptyState>
      </section>
    );
  }
  const facts = evidenceOf(cell.evidence);
  const instant = new Date(matrix.at);
  return (
    <section className="card" id="evidence" aria-labelledby="evidence-title" data-testid="block-evidence">
      <h2 id="evidence-title">
        <span>
          <span className="mono">{cidr}</span> on <span className="mono">{node}</span>: <span className={`cell ${STATUS[cell.status].tone}`}>{STATUS[cell.status].label}</span>
        </span>
      </h2>
      <p>
        {(cell.detail ?? STATUS[cell.status].meaning).replace(/\.$/, '')}. Owner: <Link href={nodeHref(row.owner)}>{row.owner}</Link>.
      </p>
      {facts.length === 0 ? (
        <p className="card-note">No fact is attached to this cell: its route to the block matches the owner.</p>
      ) : (
        <ul className="diff-lines" aria-label="Evidence facts">
          {facts.map((f, i) => (
            <li key={i} className="diff-entry">
              <div className="diff-line">
                <span className="card-note" style={{ margin: 0 }}>
                  {f.node ?? node} · {namespaceLabel(f.ns ?? 'host')} · {KIND_LABELS[(f.kind ?? '').toUpperCase() as FactKindName] ?? f.kind}
                </span>
                <code>{f.attrs === null ? `absent: ${f.key ?? ''}` : formatFact((f.kind ?? '').toUpperCase() as FactKindName, f.key ?? '', f.attrs)}</code>
              </div>
            </li>
          ))}
        </ul>
      )}
      <p>
        <Link href={nodeHref(node, { at: at ? toIso(instant) : undefined, tab: 'routes' })}>Routes of {node} at this time</Link> ·{' '}
        <Link href={diffHref(node, new Date(instant.getTime() - HOUR), instant)}>What changed on {node} in the hour before</Link>
      </p>
    </section>
  );
}

export default async function BlocksPage(props: PageProps<'/cluster/blocks'>) {
  const raw = await props.searchParams;
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);
  const { params, errors } = parseNodeParams(raw, now);
  const block = first(raw, 'block');
  const cellNode = nodeNameSchema.safeParse(first(raw, 'node') ?? '');
  const matrix = await load(() => fetchBlockMatrix(params.at));
  const here = hrefWith('/cluster/blocks', { at: params.at ? toIso(params.at) : undefined });

  const counts = new Map<BlockCellStatus, number>();
  if (matrix.ok) for (const row of matrix.data.blocks) for (const cell of row.cells) counts.set(cell.status, (counts.get(cell.status) ?? 0) + 1);
  const problems = (counts.get('MISSING') ?? 0) + (counts.get('WRONG_NODE') ?? 0) + (counts.get('SPLIT') ?? 0) + (counts.get('STALE') ?? 0);

  return (
    <>
      <div className="page-head">
        <div>
          <h1>Cluster blocks</h1>
          <p>How every node routes every Calico IPAM block{params.at ? ` at ${formatUtc(params.at)}` : ', now'}: each block to its owner.</p>
        </div>
        {params.at ? null : <LiveUpdates />}
      </div>

      <section className="card" aria-labelledby="blocks-at-title">
        <h2 id="blocks-at-title">Time</h2>
        <Form action="/cluster/blocks" className="toolbar" aria-label="Show the matrix at">
          <div className="field">
            <label htmlFor="blocks-at">Show at (UTC)</label>
            <input
              id="blocks-at"
              name="at"
              type="datetime-local"
              step={1}
              defaultValue={toInputValue(params.at ?? now)}
              max={toInputValue(now)}
              aria-invalid={errors.at ? true : undefined}
              aria-describedby={errors.at ? 'blocks-at-error' : undefined}
            />
            {errors.at ? (
              <span id="blocks-at-error" className="field-error">
                {errors.at}
              </span>
            ) : null}
          </div>
          <button type="submit">Show</button>
          {params.at ? (
            <Link className="button secondary" href="/cluster/blocks">
              Now
            </Link>
          ) : null}
        </Form>
      </section>

      {!matrix.ok ? (
        <ApiProblemPanel problem={matrix.problem} retryHref={here} />
      ) : matrix.data.blocks.length === 0 ? (
        <EmptyState title="No blocks">No node had a Calico block route (a blackhole for a block it owns) at this time.</EmptyState>
      ) : (
        <>
          <section className="card" aria-labelledby="matrix-title">
            <h2 id="matrix-title">
              Blocks × nodes
              <span className="card-note" style={{ margin: 0 }} data-testid="blocks-summary">
                {matrix.data.blocks.length} block{matrix.data.blocks.length === 1 ? '' : 's'} on {matrix.data.nodes.length} node{matrix.data.nodes.length === 1 ? '' : 's'} · {problems === 0 ? 'every node routes every block to its owner' : `${problems} cell${problems === 1 ? ' needs' : 's need'} attention`}
              </span>
            </h2>
            <ul className="chart-legend" aria-label="Legend">
              {STATUS_ORDER.map((status) => (
                <li key={status}>
                  <span className={`cell ${STATUS[status].tone}`} style={{ minWidth: 0 }}>
                    {STATUS[status].label}
                  </span>{' '}
                  {STATUS[status].meaning} ({counts.get(status) ?? 0})
                </li>
              ))}
            </ul>
            <div className="table-wrap">
              <table className="data matrix" data-testid="block-matrix">
                <caption className="visually-hidden">Routing of each block (rows) by each node (columns); each cell links to its evidence</caption>
                <thead>
                  <tr>
                    <th scope="col">Block (owner)</th>
                    {matrix.data.nodes.map((n) => (
                      <th scope="col" key={n}>
                        <Link href={nodeHref(n)}>{n}</Link>
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {matrix.data.blocks.map((row) => (
                    <tr key={row.cidr} data-block={row.cidr}>
                      <th scope="row">
                        {row.cidr} <span className="card-note">({row.owner})</span>
                      </th>
                      {matrix.data.nodes.map((n) => {
                        const cell = row.cells.find((c) => c.node === n);
                        if (!cell) return <td key={n}>—</td>;
                        const selected = block === row.cidr && cellNode.success && cellNode.data === n;
                        return (
                          <td key={n} data-node={n} data-status={cell.status}>
                            <Link
                              className={`cell ${STATUS[cell.status].tone}`}
                              href={cellHref(params.at, row.cidr, n)}
                              title={cell.detail ?? STATUS[cell.status].meaning}
                              aria-current={selected ? 'true' : undefined}
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
          </section>
          {block && cellNode.success ? <Evidence matrix={matrix.data} cidr={block} node={cellNode.data} at={params.at} /> : <p className="card-note">Select a cell to see its evidence.</p>}
        </>
      )}
    </>
  );
}
