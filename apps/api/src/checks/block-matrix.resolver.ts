import { Args, GraphQLISODateTime, Query, Resolver } from '@nestjs/graphql';
import { blockMatrix, clusterView } from '@routescope/checks';
import { RequireScope } from '../auth/scopes';
import { ClusterContextService } from '../cluster/cluster-context.service';
import { HistoryQueryRepository } from '../history/history-query.repository';
import { FindingsEvaluator } from './findings-evaluator.service';
import { BlockCellStatusValue, BlockMatrix } from './types/block-matrix.type';

@Resolver(() => BlockMatrix)
@RequireScope('read')
export class BlockMatrixResolver {
  constructor(
    private readonly evaluator: FindingsEvaluator,
    private readonly history: HistoryQueryRepository,
    private readonly cluster: ClusterContextService,
  ) {}

  @Query(() => BlockMatrix, { description: 'the block × node routing consistency matrix now, or at `at` (rebuilt from history)' })
  async blocks(@Args('at', { type: () => GraphQLISODateTime, nullable: true }) at: Date | null): Promise<BlockMatrix> {
    const instant = at ?? new Date();
    // "Now" comes from the views the checks keep in memory; the past is rebuilt from intervals.
    const views = at ? [...(await this.history.allFactsAt(at))].map(([node, facts]) => clusterView({ node, facts })) : this.evaluator.currentViews();
    const context = at && this.cluster.context() ? await this.cluster.contextAt(at) : this.cluster.context();
    const matrix = blockMatrix(views, context ?? {});
    return {
      at: instant,
      nodes: matrix.nodes,
      blocks: matrix.blocks.map((b) => ({ ...b, cells: b.cells.map((c) => ({ ...c, status: c.status as BlockCellStatusValue, detail: c.detail ?? null })) })),
    };
  }
}
