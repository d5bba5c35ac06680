import type { BadInputCase, CaseContext } from './bad-input-case';

/** The other node of an identity case: this case's own name with a suffix, so no case shares it. */
const other = (ctx: CaseContext) => `${ctx.node}-other`;

/** Setup: another node stores a snapshot (a change) and leaves its id for the request. */
async function otherNodeOwnsAnId(ctx: CaseContext): Promise<void> {
  const owned = ctx.snapshot({ node: other(ctx) });
  await ctx.accept(owned);
  ctx.vars.set('id', owned.snapshotId);
}

const CONFLICT = /^snapshotId [0-9a-f-]{36} already belongs to node bi-\d+-other, not bi-\d+/;

/** A snapshotId is one snapshot of one node. */
export const identityCases: BadInputCase[] = [
  {
    name: 'a new node reusing another node’s snapshotId',
    setup: otherNodeOwnsAnId,
    request: (ctx) => ({ json: { ...ctx.snapshot(), snapshotId: ctx.vars.get('id') } }),
    expect: { status: 409, error: 'SNAPSHOT_ID_CONFLICT', message: CONFLICT },
  },
  {
    name: 'an existing node reusing another node’s snapshotId (no false duplicate)',
    setup: async (ctx) => {
      await ctx.accept(ctx.snapshot());
      await otherNodeOwnsAnId(ctx);
    },
    request: (ctx) => ({ json: { ...ctx.snapshot({ proxyArp: '0' }), snapshotId: ctx.vars.get('id') } }),
    expect: { status: 409, error: 'SNAPSHOT_ID_CONFLICT', message: CONFLICT },
  },
  {
    name: 'an existing node reusing the id of another node’s unchanged head',
    setup: async (ctx) => {
      await ctx.accept(ctx.snapshot());
      await ctx.accept(ctx.snapshot({ node: other(ctx) }));
      const unchanged = ctx.snapshot({ node: other(ctx) });
      await ctx.accept(unchanged);
      ctx.vars.set('id', unchanged.snapshotId);
    },
    request: (ctx) => ({ json: { ...ctx.snapshot({ proxyArp: '0' }), snapshotId: ctx.vars.get('id') } }),
    expect: { status: 409, error: 'SNAPSHOT_ID_CONFLICT', message: CONFLICT },
  },
  {
    name: 'the same snapshot again from the same node (a replay: 200 duplicate, nothing written)',
    setup: async (ctx) => {
      const first = ctx.snapshot();
      await ctx.accept(first);
      ctx.vars.set('first', first);
    },
    request: (ctx) => ({ json: ctx.vars.get('first') }),
    expect: { status: 200 },
  },
  {
    name: 'an older snapshot’s id again from the same node, with other content (still the same snapshot: 200 duplicate)',
    setup: async (ctx) => {
      const first = ctx.snapshot();
      await ctx.accept(first);
      await ctx.accept(ctx.snapshot({ proxyArp: '0' }));
      ctx.vars.set('id', first.snapshotId);
    },
    request: (ctx) => ({ json: { ...ctx.snapshot({ proxyArp: '2' }), snapshotId: ctx.vars.get('id') } }),
    expect: { status: 200 },
  },
];
