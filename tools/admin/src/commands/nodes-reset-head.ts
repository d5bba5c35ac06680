import { instant, positionals, requiredOption } from '../admin-arguments';
import { defineCommand } from '../command';

// `routescope-admin nodes reset-head --node N --to T`: repairs a node whose head was poisoned by a
// snapshot from the future (issue #12 §1), through the admin mutation resetNodeHead.

interface ResetNodeHeadResult {
  auditId: string;
  node: string;
  to: string;
  previousHead: string;
  head: string | null;
  removed: boolean;
  factsDeleted: number;
  factsReopened: number;
  snapshotsDeleted: number;
  coverageDeleted: number;
  findingsDeleted: number;
}

const RESET_NODE_HEAD = `mutation ResetNodeHead($node: String!, $to: DateTime!) {
  resetNodeHead(node: $node, to: $to) { auditId node to previousHead head removed factsDeleted factsReopened snapshotsDeleted coverageDeleted findingsDeleted }
}`;

export const resetNodeHead = defineCommand<{ node: string; to: Date }>({
  path: ['nodes', 'reset-head'],
  synopsis: 'nodes reset-head --node NAME --to 2026-12-06T09:00:00Z',
  summary: "Move a node's head (its latest accepted snapshot time) back to an instant, so that snapshots after it are accepted again (audited).",
  options: [
    { name: 'node', value: 'NAME', description: 'the node to repair' },
    { name: 'to', value: 'INSTANT', description: 'the new head, an ISO 8601 instant with its zone' },
  ],
  parse(line) {
    positionals(line, []);
    return { node: requiredOption(line, 'node'), to: instant('--to', requiredOption(line, 'to')) };
  },
  async run(args, api, out) {
    const answer = await api.request<{ resetNodeHead: ResetNodeHeadResult }>(RESET_NODE_HEAD, {
      node: args.node,
      to: args.to.toISOString(),
    });
    const result = answer.resetNodeHead;
    if (out.json) return out.data(result);
    out.line(
      result.removed
        ? `node "${result.node}" had nothing at or before ${result.to}: removed (audit ${result.auditId})`
        : `node "${result.node}": head ${result.previousHead} → ${result.head} (audit ${result.auditId})`,
    );
    out.line(
      `deleted ${result.factsDeleted} fact rows, ${result.snapshotsDeleted} snapshot records, ${result.coverageDeleted} coverage intervals, ${result.findingsDeleted} findings; reopened ${result.factsReopened} facts`,
    );
  },
});
