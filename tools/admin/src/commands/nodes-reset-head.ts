import { instant, positionals, requiredOption } from '../admin-arguments';
import { defineCommand } from '../command';

// `routescope-admin nodes reset-head --node N --to T`: repairs a node whose head was poisoned by a
// snapshot from the future (issue #12 §1), through the admin mutation resetNodeHead.

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
    const answer = await api.request<{ resetNodeHead: Record<string, unknown> }>('mutation($node: String!, $to: DateTime!) { resetNodeHead(node: $node, to: $to) { __typename } }', {
      node: args.node,
      to: args.to.toISOString(),
    });
    if (out.json) return out.data({ node: args.node, to: args.to.toISOString(), ...answer.resetNodeHead });
    out.line(`reset the head of node "${args.node}" to ${args.to.toISOString()}`);
  },
});
