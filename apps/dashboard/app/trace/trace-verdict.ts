import type { TraceVerdict } from '../lib/generated/graphql';

const VERDICT_TEXT: Record<TraceVerdict, string> = {
  REACHABLE: 'reachable',
  NO_ROUTE: 'no route',
  BLACKHOLE: 'blackhole route',
  UNREACHABLE: 'unreachable route',
  PROHIBIT: 'prohibit route',
  NO_ARP_REPLY: 'no ARP reply',
  FORWARDING_OFF: 'forwarding off',
  RP_FILTER: 'dropped by rp_filter',
  MTU: 'too large (MTU)',
  LINK_DOWN: 'link down',
  UNKNOWN_NEXT_HOP_NODE: 'next hop on no recorded node',
  NOT_CAPTURED: 'not captured',
  TTL: 'TTL exceeded (loop)',
  MISDELIVERED: 'delivered to the wrong namespace',
};

/** A verdict in words, as the trace page and the review show it. */
export function verdictText(verdict: TraceVerdict): string {
  return VERDICT_TEXT[verdict];
}
