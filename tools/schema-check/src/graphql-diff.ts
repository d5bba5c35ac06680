import { CriticalityLevel, diff } from '@graphql-inspector/core';
import { buildSchema } from 'graphql';

export interface BreakingChange {
  /** what the CHANGELOG entry names, e.g. `Query.nodes` or `POST /api/v1/snapshots 201` */
  path: string;
  message: string;
}

/** Breaking changes between two SDL texts, by @graphql-inspector/core's criticality. */
export async function graphqlBreakingChanges(previousSdl: string, currentSdl: string): Promise<BreakingChange[]> {
  const changes = await diff(buildSchema(previousSdl), buildSchema(currentSdl));
  return changes
    .filter((change) => change.criticality.level === CriticalityLevel.Breaking)
    .map((change) => ({ path: change.path ?? change.type, message: change.message }));
}
