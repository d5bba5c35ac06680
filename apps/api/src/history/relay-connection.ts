import type { PageInfo } from './types/page-info.type';

/**
 * A forward page from rows fetched with LIMIT page size + 1: the extra row only tells that
 * another page exists.
 */
export function forwardPage<R, E extends { cursor: string }>(rows: readonly R[], size: number, toEdge: (row: R) => E): { edges: E[]; pageInfo: PageInfo } {
  const edges = rows.slice(0, size).map(toEdge);
  return {
    edges,
    pageInfo: {
      hasNextPage: rows.length > size,
      hasPreviousPage: false,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
  };
}
