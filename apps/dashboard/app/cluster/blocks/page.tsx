import type { Metadata } from 'next';
import Form from 'next/form';
import Link from 'next/link';
import { fetchBlockEvidence, fetchBlockMatrix, load, type BlockEvidence, type BlockMatrix } from '../../lib/data';
import { formatFact, KIND_LABELS, namespaceLabel, type FactKindName } from '../../lib/fact-format';
import type { BlockCellStatus } from '../../lib/generated/graphql';
import { diffHref, hrefWith, nodeHref } from '../../lib/links';
import { formatUtc, HOUR, toInputValue, toIso } from '../../lib/time';
import { ApiProblemPanel } from '../../ui/api-problem-panel';
import { EmptyState } from '../../ui/empty-state';
import { LiveUpdates } from '../../ui/live-updates';
import { Pagination } from '../../ui/pagination';
import { BlockMatrixView, GRID_MAX_NODES, STATUS, STATUS_ORDER } from './block-matrix-view';
import { BLOCK_PAGE_SIZES, parseBlocksParams, type BlocksParams } from './blocks-params';

export const metadata: Metadata = { title: 'Cluster blocks' };

type PageParams = Omit<BlocksParams, 'at'> & { at?: Date };

/** This page's URL with `patch` applied; defaults are left out, `block` and `node` come last (the evidence anchor follows them). */
function blocksHref(params: PageParams, patch: Partial<Record<keyof BlocksParams, string | undefined>>, anchor = ''): string {
  const merged: Record<string, string | undefined> = {
    at: params.at ? toIso(params.at) : undefined,
    problems: params.problems ? '1' : undefined,
    size: params.size === 50 ? undefined : String(params.size),
    after: params.after,
    offset: params.offset ? String(params.offset) : undefined,
    block: params.block,
    node: params.node,
    ...patch,
  };
  return `${hrefWith('/cluster/blocks', merged)}${anchor}`;
}

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

function Facts({ facts, node }: { facts: EvidenceFact[]; node: string }) {
  return (
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
  );
}

function NodeLinks({ node, at }: { node: string; at: Date }) {
  return (
    <p>
      <Link href={nodeHref(node, { at: toIso(at), tab: 'routes' })}>Routes of {node} at this time</Link> ·{' '}
      <Link href={diffHref(node, new Date(at.getTime() - HOUR), at)}>What changed on {node} in the hour before</Link>
    </p>
  );
}

/** The evidence of one cell (`node`), or of one block (its owner, and every cell that needs attention). */
function Evidence({ data, cidr, node, hrefOf }: { data: BlockEvidence; cidr: string; node?: string; hrefOf: (cidr: string, node?: string) => string }) {
  const row = data.blocks[0];
  const instant = new Date(data.at);
  const noSuchCell = !row || (node !== undefined && node !== row.owner && !data.nodes.includes(node));
  if (noSuchCell) {
    return (
      <section className="card" id="evidence" aria-labelledby="evidence-title">
        <h2 id="evidence-title">Evidence</h2>
        <EmptyState title={row ? 'No such cell' : 'No such block'}>
          {row ? `Block ${cidr} has no cell for node ${node} at this time.` : `No node owned block ${cidr} at this time.`}
        </EmptyState>
      </section>
    );
  }
  if (node === undefined) {
    return (
      <section className="card" id="evidence" aria-labelledby="evidence-title" data-testid="block-evidence">
        <h2 id="evidence-title">
          <span>
            Block <span className="mono">{row.cidr}</span>, owned by <Link href={nodeHref(row.owner)}>{row.owner}</Link>
          </span>
        </h2>
        <p>
          {row.problems.length === 0
            ? `Every other node (${Math.max(data.nodes.length - 1, 0)}) routes it to its owner.`
            : `${row.problems.length} of ${Math.max(data.nodes.length - 1, 0)} other nodes do not route it to its owner; every other node does.`}
        </p>
        {row.problems.length > 0 ? (
          <ul className="chips" aria-label={`Nodes that need attention for ${row.cidr}`}>
            {row.problems.map((cell) => (
              <li key={cell.node}>
                <Link className={`cell ${STATUS[cell.status].tone}`} style={{ minWidth: 0 }} href={hrefOf(row.cidr, cell.node)} scroll={false} title={cell.detail ?? STATUS[cell.status].meaning}>
                  {cell.node}: {STATUS[cell.status].label}
                </Link>
              </li>
            ))}
          </ul>
        ) : null}
        <h3 style={{ marginTop: '0.75rem' }}>Why {row.owner} owns it</h3>
        {evidenceOf(row.ownerEvidence).length > 0 ? <Facts facts={evidenceOf(row.ownerEvidence)} node={row.owner} /> : <p className="card-note">Its block affinity (cluster data).</p>}
        <NodeLinks node={row.owner} at={instant} />
      </section>
    );
  }
  const problem = row.problems.find((c) => c.node === node);
  const status: BlockCellStatus = node === row.owner ? 'OWNER' : (problem?.status ?? 'OK');
  const facts = node === row.owner ? evidenceOf(row.ownerEvidence) : evidenceOf(problem?.evidence);
  return (
    <section className="card" id="evidence" aria-labelledby="evidence-title" data-testid="block-evidence">
      <h2 id="evidence-title">
        <span>
          <span className="mono">{row.cidr}</span> on <span className="mono">{node}</span>: <span className={`cell ${STATUS[status].tone}`}>{STATUS[status].label}</span>
        </span>
      </h2>
      <p>
        {(problem?.detail ?? STATUS[status].meaning).replace(/\.$/, '')}. Owner: <Link href={nodeHref(row.owner)}>{row.owner}</Link> (
        <Link href={hrefOf(row.cidr)} scroll={false}>
          the block
        </Link>
        ).
      </p>
      {facts.length === 0 ? <p className="card-note">No fact is attached to this cell: its route to the block matches the owner.</p> : <Facts facts={facts} node={node} />}
      <NodeLinks node={node} at={instant} />
    </section>
  );
}

function plural(n: number, one: string, many: string): string {
  return `${n.toLocaleString('en')} ${n === 1 ? one : many}`;
}

function Summary({ matrix }: { matrix: BlockMatrix }) {
  const problems = matrix.counts.problems;
  return (
    <>
      <p className="card-note" data-testid="blocks-summary">
        {plural(matrix.blockCount, 'block', 'blocks')} on {plural(matrix.nodeCount, 'node', 'nodes')} ·{' '}
        {problems === 0
          ? 'every node routes every block to its owner'
          : `${plural(matrix.problemBlockCount, 'block has', 'blocks have')} problems: ${problems.toLocaleString('en')} cell${problems === 1 ? ' needs' : 's need'} attention`}
      </p>
      <ul className="chart-legend" aria-label="Legend: cells of the whole matrix by status">
        {STATUS_ORDER.map((status) => (
          <li key={status}>
            <span className={`cell ${STATUS[status].tone}`} style={{ minWidth: 0 }}>
              {STATUS[status].label}
            </span>{' '}
            {STATUS[status].meaning} ({countOf(matrix, status).toLocaleString('en')})
          </li>
        ))}
      </ul>
    </>
  );
}

function countOf(matrix: BlockMatrix, status: BlockCellStatus): number {
  const c = matrix.counts;
  return { OWNER: c.owner, OK: c.ok, MISSING: c.missing, WRONG_NODE: c.wrongNode, SPLIT: c.split, STALE: c.stale }[status];
}

export default async function BlocksPage(props: PageProps<'/cluster/blocks'>) {
  const raw = await props.searchParams;
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);
  const { params, errors } = parseBlocksParams(raw, now);
  const [matrix, evidence] = await Promise.all([
    load(() => fetchBlockMatrix(params.at, { first: params.size, after: params.after, problemsOnly: params.problems })),
    params.block ? load(() => fetchBlockEvidence(params.at, params.block as string)) : Promise.resolve(undefined),
  ]);
  const here = blocksHref(params, {});
  const hrefOf = (cidr: string, node?: string) => blocksHref(params, { block: cidr, node }, '#evidence');
  const unfiltered = { ...params, problems: false, after: undefined, offset: 0 };

  return (
    <>
      <div className="page-head">
        <div>
          <h1>Cluster blocks</h1>
          <p>How every node routes every Calico IPAM block{params.at ? ` at ${formatUtc(params.at)}` : ', now'}: each block to its owner.</p>
        </div>
        {params.at ? null : <LiveUpdates />}
      </div>

      <section className="card" aria-labelledby="blocks-form-title">
        <h2 id="blocks-form-title">Show</h2>
        {/* Keyed on the values so that the uncontrolled fields show the URL's values again after a client-side navigation. */}
        <Form key={[params.at?.getTime() ?? 'now', params.problems, params.size].join('\u0000')} action="/cluster/blocks" className="toolbar" aria-label="Which blocks to show">
          <div className="field">
            <label htmlFor="blocks-at">Show at (UTC)</label>
            {/* Empty means now (the live matrix); a time rebuilds the matrix from history. */}
            <input
              id="blocks-at"
              name="at"
              type="datetime-local"
              step={1}
              defaultValue={params.at ? toInputValue(params.at) : ''}
              max={toInputValue(now)}
              aria-invalid={errors.at ? true : undefined}
              aria-describedby={errors.at ? 'blocks-at-hint blocks-at-error' : 'blocks-at-hint'}
            />
            <span id="blocks-at-hint" className="card-note" style={{ margin: 0 }}>
              Empty: now
            </span>
            {errors.at ? (
              <span id="blocks-at-error" className="field-error">
                {errors.at}
              </span>
            ) : null}
          </div>
          <div className="field">
            <label htmlFor="blocks-size">Blocks per page</label>
            <select id="blocks-size" name="size" defaultValue={String(params.size)}>
              {BLOCK_PAGE_SIZES.map((size) => (
                <option key={size} value={size}>
                  {size}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <span className="label" aria-hidden="true">
              Filter
            </span>
            <label style={{ display: 'inline-flex', alignItems: 'center', gap: '0.4rem', minHeight: '2.1rem', fontWeight: 'normal' }}>
              <input id="blocks-problems" name="problems" type="checkbox" value="1" defaultChecked={params.problems} />
              Only blocks with problems
            </label>
          </div>
          <button type="submit">Show</button>
          {params.at ? (
            <Link className="button secondary" href={blocksHref({ ...unfiltered, at: undefined, block: undefined, node: undefined, problems: params.problems }, {})}>
              Now
            </Link>
          ) : null}
        </Form>
        {Object.keys(errors).some((k) => k !== 'at') ? (
          <p className="field-error" role="alert">
            Some parameters of this link were invalid and were reset:{' '}
            {Object.entries(errors)
              .filter(([k]) => k !== 'at')
              .map(([, message]) => message)
              .join('; ')}
            .
          </p>
        ) : null}
      </section>

      {!matrix.ok ? (
        <ApiProblemPanel problem={matrix.problem} retryHref={here} />
      ) : matrix.data.blockCount === 0 ? (
        <EmptyState title="No blocks">No node had a Calico block route (a blackhole for a block it owns) at this time.</EmptyState>
      ) : (
        <>
          <section className="card" aria-labelledby="matrix-title">
            <h2 id="matrix-title">{matrix.data.nodeCount <= GRID_MAX_NODES ? 'Blocks × nodes' : 'Blocks and the nodes that need attention'}</h2>
            <Summary matrix={matrix.data} />
            {matrix.data.nodeCount > GRID_MAX_NODES ? (
              <p className="card-note">
                {matrix.data.nodeCount.toLocaleString('en')} nodes are too many columns: each block lists only the nodes that do not route it to its owner; every other node does.
              </p>
            ) : null}
            {matrix.data.blocks.length === 0 ? (
              <EmptyState title={params.problems ? 'No block has a problem' : 'No blocks on this page'}>
                {params.problems ? 'Every node routes every block to its owner.' : 'This page is past the last block.'}{' '}
                <Link href={blocksHref(unfiltered, { block: undefined, node: undefined })}>Show all blocks</Link>
              </EmptyState>
            ) : (
              <BlockMatrixView nodes={matrix.data.nodes} rows={matrix.data.blocks} hrefOf={hrefOf} selected={params.block ? { block: params.block, node: params.node } : undefined} />
            )}
            <Pagination
              noun={params.problems ? 'blocks with problems' : 'blocks'}
              offset={params.offset}
              shown={matrix.data.blocks.length}
              total={matrix.data.totalCount}
              firstHref={params.after ? blocksHref(params, { after: undefined, offset: undefined }) : undefined}
              nextHref={matrix.data.pageInfo.hasNextPage && matrix.data.pageInfo.endCursor ? blocksHref(params, { after: matrix.data.pageInfo.endCursor, offset: String(params.offset + params.size) }) : undefined}
            />
          </section>
          {evidence === undefined ? (
            <p className="card-note">Select a cell or a block to see its evidence.</p>
          ) : !evidence.ok ? (
            <ApiProblemPanel problem={evidence.problem} context="The evidence could not load" />
          ) : (
            <Evidence data={evidence.data} cidr={params.block as string} node={params.node} hrefOf={hrefOf} />
          )}
        </>
      )}
    </>
  );
}
