import type { RuleDefinition } from '../check-types';

/**
 * The rule catalogue. Every rule encodes one part of Calico's proxy-ARP model
 * (/work/shared/DESIGN.md, "The model it checks"); `explanation` says why a departure breaks
 * traffic, `remediation` what to do. Ids are stable: findings are stored under them.
 */
export const RULES: RuleDefinition[] = [
  // ---- pod side ---------------------------------------------------------------------------
  {
    id: 'CALICO_POD_ADDRESS_PREFIX',
    scope: 'node',
    severity: 'warning',
    title: 'Pod address is not a single host address',
    explanation:
      'In the proxy-ARP model a pod is a one-host LAN: eth0 carries a /32 (IPv6 /128) and every destination, even a pod of the same node, is reached through the gateway 169.254.1.1. With a wider prefix the pod believes its neighbours are on-link and ARPs for them directly; that only works while the host veth happens to proxy for them, and it breaks as soon as an address in that prefix belongs to something that is not routed by this node.',
    remediation:
      'Recreate the pod with the Calico CNI plugin (it assigns /32 and /128 addresses); check that no other CNI plugin or init container re-addresses eth0.',
  },
  {
    id: 'CALICO_POD_DEFAULT_ROUTE',
    scope: 'node',
    severity: 'error',
    title: 'Pod has no default route via 169.254.1.1',
    explanation:
      'A Calico pod sends everything to the link-local gateway 169.254.1.1 on eth0, which nothing owns: the host veth answers ARP for it by proxy ARP and the node routes the packet. Without `default via 169.254.1.1 dev eth0` the pod can reach nothing outside its own address. Only checked for pods with an IPv4 address whose eth0 is up (the kernel drops the routes of a down device; CALICO_ROUTE_TO_DOWN_VETH reports that).',
    remediation: 'Recreate the pod (the CNI plugin writes the route); look for something in the pod that rewrites its routes (a VPN sidecar, a second CNI in the chain).',
  },
  {
    id: 'CALICO_POD_GATEWAY_ROUTE',
    scope: 'node',
    severity: 'error',
    title: 'Pod has no link route to 169.254.1.1',
    explanation:
      'The default route via 169.254.1.1 needs `169.254.1.1 dev eth0 scope link` so that the kernel knows the gateway is on-link and ARPs for it on eth0. Without it (and without `onlink` on the default route) the pod cannot resolve its gateway and new routes via it are refused.',
    remediation: 'Recreate the pod, or add `ip route add 169.254.1.1 dev eth0 scope link` inside it to confirm the diagnosis.',
  },
  {
    id: 'CALICO_POD_GATEWAY_NEIGHBOR',
    scope: 'node',
    severity: 'error',
    title: 'Pod cannot resolve its gateway 169.254.1.1 (ARP failed)',
    explanation:
      'The pod asked who has 169.254.1.1 and nobody answered: its neighbour entry is FAILED or INCOMPLETE. Only the host side of the veth can answer, by proxy ARP, and it stays silent when proxy_arp is off, the node does not forward, or the node has no route for 169.254.1.1 out of another interface. This rule reports the symptom; it stays quiet when one of those host-side causes is itself a finding on the same node, so that one fault gives one finding.',
    remediation:
      'On the node check `net.ipv4.conf.<veth>.proxy_arp` (1), `net.ipv4.ip_forward` (1), the default route, and that the veth is up; `tcpdump -e -i <veth> arp` shows whether requests arrive and are answered.',
  },
  {
    id: 'CALICO_POD_GATEWAY_MAC',
    scope: 'node',
    severity: 'warning',
    title: 'Pod resolved 169.254.1.1 to a MAC that is not its host veth',
    explanation:
      'The pod must resolve 169.254.1.1 to the MAC of its host veth (ee:ee:ee:ee:ee:ee in Calico). A different MAC means a stale cache entry from a previous veth, or something else answering ARP on the link; frames sent to that MAC are dropped by the veth until the entry is re-resolved.',
    remediation: 'Flush the entry in the pod (`ip neigh flush dev eth0`) and find who answered: `tcpdump -e -i <veth> arp` on the node.',
  },
  // ---- host side --------------------------------------------------------------------------
  {
    id: 'CALICO_VETH_MAC',
    scope: 'node',
    severity: 'warning',
    title: 'Host veth MAC is not ee:ee:ee:ee:ee:ee',
    explanation:
      'Calico gives every host-side cali veth the fixed MAC ee:ee:ee:ee:ee:ee, so that what a pod learns for 169.254.1.1 stays valid whatever happens to the veth. With another MAC, pods that cached ee:ee:ee:ee:ee:ee send frames the veth drops until their entry expires, and the node no longer looks like a Calico node to tooling that relies on it.',
    remediation: 'Let felix/the CNI plugin recreate the veth, or set it back: `ip link set <veth> address ee:ee:ee:ee:ee:ee`.',
  },
  {
    id: 'CALICO_PROXY_ARP',
    scope: 'node',
    severity: 'error',
    title: 'Proxy ARP is off on a pod’s host veth',
    explanation:
      'Nothing owns 169.254.1.1: the pod’s ARP request is answered only because proxy_arp is on for its host veth (net.ipv4.conf.<veth>.proxy_arp = 1, or conf.all.proxy_arp = 1). With it off the pod’s gateway never resolves and the pod is cut off from everything but itself.',
    remediation: '`sysctl -w net.ipv4.conf.<veth>.proxy_arp=1`; find what turned it off (felix sets it when it configures the interface).',
  },
  {
    id: 'CALICO_PROXY_DELAY',
    scope: 'node',
    severity: 'warning',
    title: 'Proxy ARP answers are delayed on a pod’s host veth',
    explanation:
      'With the kernel default neigh.<veth>.proxy_delay of 80 jiffies (0.8 s) the host veth answers the pod’s broadcast ARP for 169.254.1.1 after a random delay: the first packets after every re-resolution wait up to 0.8 s and short-timeout clients (DNS, health checks, one-shot pings) fail intermittently. Calico sets it to 0.',
    remediation: '`sysctl -w net.ipv4.neigh.<veth>.proxy_delay=0`.',
  },
  {
    id: 'CALICO_HOST_ROUTE',
    scope: 'node',
    severity: 'error',
    title: 'Node has no /32 route to a local pod through its veth',
    explanation:
      'The node reaches each local pod through a host route `<pod ip>/32 dev <its cali veth> scope link`. Without it, or with it pointing at another veth, replies to the pod follow the next matching route — normally the blackhole of the node’s own block — and the pod loses all traffic from outside itself.',
    remediation: 'Restart calico-node on the node (felix reprograms the route) or add it: `ip route add <pod ip>/32 dev <veth> scope link`.',
  },
  {
    id: 'CALICO_ROUTE_TO_DOWN_VETH',
    scope: 'node',
    severity: 'error',
    title: 'A route points at a missing or down cali veth',
    explanation:
      'A route with `dev caliX` only delivers if that veth exists and has carrier. A route flagged `linkdown`, or one naming a veth the capture does not have, black-holes the pod address it serves (its pod is gone or its eth0 is down) while still hiding the block route behind it.',
    remediation: 'Check the pod behind the veth (`kubectl get pod -o wide` by its IP); delete the stale route or restart the pod whose eth0 is down.',
  },
  {
    id: 'CALICO_IP_FORWARD',
    scope: 'node',
    severity: 'critical',
    title: 'IPv4 forwarding is off on the node',
    explanation:
      'Every pod packet is routed by the node, and proxy ARP only answers on an interface that forwards. With net.ipv4.ip_forward = 0 no pod of the node can resolve 169.254.1.1 or reach anything beyond its host (writing ip_forward also resets every conf.*.forwarding).',
    remediation: '`sysctl -w net.ipv4.ip_forward=1` and persist it (sysctl.d); find the agent that turned it off.',
  },
  {
    id: 'CALICO_EXIT_ROUTE',
    scope: 'node',
    severity: 'critical',
    title: 'The node has no route for 169.254.1.1 out of another interface',
    explanation:
      'The kernel proxies an ARP request only if it has a unicast route for the requested address that leaves by a different interface than the one the request came in on. For 169.254.1.1 that is normally the default route: it is looked up by longest-prefix match in the main table, and the rule fires when the best match is missing, is not unicast (blackhole, unreachable, prohibit), or leaves through a cali veth. A `0.0.0.0/32` host route is not a default route.',
    remediation: 'Restore the default route (or add a route covering 169.254.1.1 via the underlay); pods recover on their next ARP.',
  },
  {
    id: 'CALICO_BLACKHOLE',
    scope: 'node',
    severity: 'warning',
    title: 'Node owns an IPAM block but has no blackhole route for it',
    explanation:
      'Calico installs `blackhole <block> proto bird` for every IPAM block affine to the node, so that traffic to unallocated addresses of its own block is dropped locally instead of following the default route out of the node (and possibly looping back). Ownership comes from context.blockAffinities when the API watches Calico; otherwise it is inferred: a local pod address (a pod with a cali veth, or a /32 route to a cali veth) that no blackhole of the node covers and that is not inside a block the node routes to another node (a borrowed address) belongs to a block the node owns, whose size is the prefix length of the node’s other block routes (its other blackholes, else its routes to other nodes’ blocks, e.g. /26) or the pool’s blockSize from context. With no block routes and no context the size is unknown and the rule stays silent.',
    remediation: 'Restart calico-node (BIRD/felix reinstall it), or add `ip route add blackhole <block> proto bird`.',
  },
  {
    id: 'CALICO_POD_MTU',
    scope: 'node',
    severity: 'error',
    title: 'Pod eth0 MTU differs from its host veth',
    explanation:
      'The two ends of a veth must share one MTU. When the pod side is larger, full-size packets leave the pod and are silently dropped by the host veth — no ICMP "fragmentation needed" comes back, so TCP connections hang once they send a full segment (a PMTU black hole).',
    remediation: 'Recreate the pod so the CNI plugin sets the pool MTU on both ends, or align them with `ip link set dev eth0 mtu <veth mtu>` inside the pod.',
  },
  {
    id: 'CALICO_VETH_TUNNEL_MTU',
    scope: 'node',
    severity: 'warning',
    title: 'Host veth MTU is larger than the tunnel MTU',
    explanation:
      'Cross-node pod traffic leaves through the Calico tunnel (tunl0, vxlan.calico, wireguard.cali). A pod MTU above the tunnel MTU makes every full-size cross-node packet need fragmentation or an ICMP round trip, and breaks outright where ICMP is filtered. Only tunnels the node actually uses (with an address or a route) count.',
    remediation: 'Set the Calico MTU (FelixConfiguration / the calico-config ConfigMap veth_mtu) to the tunnel MTU and restart the pods.',
  },
  {
    id: 'CALICO_TUNNEL_UNDERLAY_MTU',
    scope: 'node',
    severity: 'warning',
    title: 'Tunnel MTU plus encapsulation exceeds the underlay MTU',
    explanation:
      'An encapsulated packet is the inner packet plus the header (IPIP 20, VXLAN 50, WireGuard 60 bytes). If tunnel MTU + overhead exceeds the MTU of the interface the tunnel leaves by (vxlan’s `dev`, else the interface of the default route), full-size cross-node packets are fragmented or dropped on the underlay.',
    remediation: 'Lower the tunnel and pod MTU to underlay MTU − overhead (e.g. 1450 for VXLAN on a 1500 underlay).',
  },
  {
    id: 'CNI_SECOND_POD_NETWORK',
    scope: 'node',
    severity: 'warning',
    title: 'A second CNI bridge hands out pod addresses outside the Calico pools',
    explanation:
      'A bridge such as cni0 or docker0 with veths attached, next to Calico, means some pods were wired by another plugin (a leftover flannel/bridge config, or a CNI config ordering problem). Their addresses are outside the Calico pools, so no other node routes to them, Calico policy does not see them, and they usually cannot leave the node. Pools come from context.ipPools, else from the node’s Calico block routes.',
    remediation: 'Remove the stale CNI config from /etc/cni/net.d, delete the bridge, and recreate the affected pods.',
  },
  // ---- cross-node -------------------------------------------------------------------------
  {
    id: 'CALICO_BLOCK_ROUTE_MISSING',
    scope: 'cluster',
    severity: 'error',
    title: 'Node has no route to another node’s IPAM block',
    explanation:
      'Every node must route each block owned by another node to that node (through tunl0, vxlan.calico, or the underlay in BGP mode). Without the route, packets for those pods follow the default route out of the cluster: all traffic from this node to the owner’s pods fails.',
    remediation: 'Check BGP sessions (`calicoctl node status`) or felix’s VXLAN route programming on this node; restart calico-node.',
  },
  {
    id: 'CALICO_BLOCK_ROUTE_WRONG_NODE',
    scope: 'cluster',
    severity: 'error',
    title: 'Node routes another node’s block via the wrong next hop',
    explanation:
      'A route to a block is correct when its gateway is one of the owner’s global addresses (underlay IP, vxlan.calico or tunl0 address). A gateway of another node sends the traffic to a node that has no pod for it (and usually a blackhole), a gateway of no node sends it to a router that does not know pod addresses.',
    remediation: 'Find who installed the route (`ip route show <block>` protocol: bird/80 = Calico, else a static/DHCP agent); fix the BGP/VXLAN state or remove the stray route.',
  },
  {
    id: 'CALICO_BLOCK_ROUTE_SPLIT',
    scope: 'cluster',
    severity: 'warning',
    title: 'Block route is split over several next hops',
    explanation:
      'A block lives on one node, so its route has one next hop. An ECMP route whose next hops are not all the owner spreads flows over nodes that do not host the pods: some connections work and others fail, depending on the hash.',
    remediation: 'Look for two nodes advertising the same block (stale block affinity after a node replacement) and release the stale affinity.',
  },
  {
    id: 'CALICO_BLOCK_ROUTE_STALE',
    scope: 'cluster',
    severity: 'warning',
    title: 'Node still routes a block whose owner is gone',
    explanation:
      'A block route whose next hop is no known node and whose block nobody owns any more is left over from a removed node. It hides nothing today but captures traffic for those addresses as soon as the block is handed out again. It is only decided with cluster context (context.blockAffinities or context.nodes): without it an unknown next hop may just be a node that does not report.',
    remediation: 'Remove the route; check for a stale BGP peer or a felix that did not see the node deletion.',
  },
  {
    id: 'CALICO_BLOCK_CONFLICT',
    scope: 'cluster',
    severity: 'error',
    title: 'Two nodes claim the same IPAM block',
    explanation:
      'Each block is affine to one node, which alone has its blackhole. A second node with a blackhole for the block (or a blackhole for a block the affinities give to another node) drops everything it should forward to the owner’s pods, and advertises the block in BGP mode.',
    remediation: 'Compare `calicoctl ipam show --show-blocks` with the nodes; release the stale affinity and restart calico-node on the wrong claimant.',
  },
  {
    id: 'CALICO_DUPLICATE_ADDRESS',
    scope: 'cluster',
    severity: 'critical',
    title: 'The same pod or tunnel address is in use twice',
    explanation:
      'An address must belong to one pod (or one node’s tunnel device) in the cluster. When two pods or tunnels share it, each node delivers it locally and the other copy is unreachable from there; worse, connections can be answered by the wrong pod.',
    remediation: 'Find the pods by IP (`kubectl get pods -A -o wide`), check IPAM (`calicoctl ipam check`), and recreate the pod that holds an address IPAM did not give it.',
  },
  {
    id: 'CALICO_BORROWED_ADDRESS_ROUTE',
    scope: 'cluster',
    severity: 'error',
    title: 'No /32 route to a borrowed pod address',
    explanation:
      'When a node runs out of its own blocks Calico IPAM lets it borrow an address from a block affine to another node. The owner still has the blackhole for the whole block and every other node routes the block to the owner, so Calico adds a /32 route for the borrowed address via the node that hosts the pod on every other node (BGP exports the /32, felix programs it in VXLAN mode). On the block owner a missing /32 means its blackhole drops the pod’s traffic; on other nodes it means traffic detours via the owner and dies there. Addresses that are duplicated are left to CALICO_DUPLICATE_ADDRESS.',
    remediation: 'Check BGP export/felix VXLAN routes on the node; restart calico-node on the hosting node so it re-advertises the /32.',
  },
  {
    id: 'CALICO_MTU_INCONSISTENT',
    scope: 'cluster',
    severity: 'warning',
    title: 'Tunnel or pod MTU differs across nodes',
    explanation:
      'All nodes must agree on the tunnel MTU and the pod (veth) MTU: a node with a larger MTU sends packets the others drop or fragment, and PMTU discovery across the tunnel is unreliable. The most common value wins; nodes that differ from it are reported (on a tie, every node).',
    remediation: 'Align the Calico MTU setting and restart calico-node and the pods of the odd node.',
  },
  // ---- live probes (run by the node's collector on request, issue #11) ----------------------
  {
    id: 'PROBE_PROXY_ARP_FAILED',
    scope: 'probe',
    severity: 'error',
    title: 'A live proxy-ARP probe of the pod failed',
    explanation:
      'The collector flushed the pod’s neighbour entry for 169.254.1.1, made it ARP and ping the node, and watched both ends of the veth with tcpdump -e. The expected exchange — who-has 169.254.1.1 from the pod’s MAC, `is-at ee:ee:ee:ee:ee:ee` from the host veth, then echo replies — did not happen: no reply (no-arp-reply: proxy_arp off, forwarding off, or no route for 169.254.1.1 out of another interface), a reply with another MAC (wrong-mac), ARP answered but no echo (arp-ok-no-echo: the path beyond the first hop), or nothing on the wire at all (no-frames: the pod did not send, or the veth is down). This is observed traffic, not inferred from kernel state: it fails even when every setting looks right. The next probe of the pod that passes resolves it.',
    remediation:
      'Open the probe (its frames and raw tcpdump lines are the evidence) and compare with the node’s state at that instant: `net.ipv4.conf.<veth>.proxy_arp` (1), `net.ipv4.ip_forward` (1), `ip route get 169.254.1.1` on the node, the veth’s MAC (ee:ee:ee:ee:ee:ee) and state (UP). Fix, then run the probe again.',
  },
  // ---- capture evidence (frames and BGP sessions a pasted capture shows) --------------------
  {
    id: 'CALICO_ARP_UNANSWERED',
    scope: 'capture',
    severity: 'error',
    title: 'The pod’s ARP for 169.254.1.1 went unanswered',
    explanation:
      'A Calico pod reaches everything through 169.254.1.1, which only its host veth answers, by proxy ARP with ee:ee:ee:ee:ee:ee. A capture (tcpdump -e, on the pod’s eth0 or the host’s cali veth) that shows the pod asking who-has 169.254.1.1 again and again with no reply means the pod cannot send a single packet off its own address. The usual host-side causes: proxy_arp off on the veth, forwarding off (ip_forward = 0 also turns off conf.<veth>.forwarding, and the kernel proxies only for a forwarding interface), no route for 169.254.1.1 out of another interface (the default route), or the veth down. Not concluded from a filtered (partial) tcpdump section, nor under a capture filter that keeps one direction (src/dst, arp[…], -Q in), where the replies may have been cut away.',
    remediation:
      'On the node: `cat /proc/sys/net/ipv4/conf/<veth>/proxy_arp` (1), `sysctl net.ipv4.ip_forward` (1), `ip route get 169.254.1.1` (must leave by another interface), `ip link show <veth>` (UP); restart calico-node if felix lost the veth.',
  },
  {
    id: 'CALICO_ARP_WRONG_MAC',
    scope: 'capture',
    severity: 'error',
    title: '169.254.1.1 was answered with a MAC other than ee:ee:ee:ee:ee:ee',
    explanation:
      'Calico gives every host-side cali veth the MAC ee:ee:ee:ee:ee:ee and the veth answers the pod’s ARP for 169.254.1.1 with it. A reply `169.254.1.1 is-at X` with another MAC means the veth’s MAC was changed (the kernel answers with the veth’s own address) or something else on the link answers for the gateway; the pod caches that MAC, and when the veth is recreated with ee:ee:ee:ee:ee:ee the cached entry black-holes its traffic until it expires.',
    remediation:
      'Compare with `ip link show <veth>` on the node: set the veth back to ee:ee:ee:ee:ee:ee (or let felix recreate it), find any other responder on the link, then flush the pod’s entry (`ip neigh flush dev eth0` in the pod).',
  },
  {
    id: 'CALICO_POD_FRAME_GATEWAY_MAC',
    scope: 'capture',
    severity: 'warning',
    title: 'The pod sends IP frames to a MAC that is not ee:ee:ee:ee:ee:ee',
    explanation:
      'Every IP packet a Calico pod sends goes to its gateway 169.254.1.1, i.e. to the host veth’s MAC ee:ee:ee:ee:ee:ee. Frames from the pod’s MAC with another destination MAC mean the pod uses a stale or foreign neighbour entry (a previous veth, a second responder, a wider-than-/32 address that makes it ARP for peers directly); the host veth drops frames not addressed to it. Frames whose wrong MAC is already explained by a wrong ARP reply in the same capture are left to CALICO_ARP_WRONG_MAC.',
    remediation: 'In the pod: `ip neigh show` and `ip addr show eth0` (a /32 is expected); flush the entry, and find who answered its ARP with `tcpdump -e -i <veth> arp` on the node.',
  },
  {
    id: 'CALICO_PROXY_ARP_VERIFIED',
    scope: 'capture',
    severity: 'info',
    title: 'Proxy ARP verified: 169.254.1.1 is-at ee:ee:ee:ee:ee:ee',
    explanation:
      'Passed evidence, not a problem: the capture shows the pod’s ARP request for 169.254.1.1 answered `is-at ee:ee:ee:ee:ee:ee` by its host veth — the exact check of the proxy-ARP model that otherwise needs tcpdump -e on both sides of the veth. It tells that proxy_arp, forwarding and the exit route worked for that pod at the time of the capture.',
    remediation: 'Nothing to do. If the pod still has no connectivity, look beyond the first hop: routes to the destination block, BGP sessions, policy.',
  },
  {
    id: 'CALICO_BGP_PEER_DOWN',
    scope: 'capture',
    severity: 'error',
    title: 'A BGP peer of the node is not Established',
    explanation:
      'In BGP and IPIP mode every node learns the other nodes’ blocks from its BGP peers (the node-to-node mesh or route reflectors). A peer in state start/Passive/Connect/Active/Idle (anything but Established) sends no routes: the blocks behind it are missing from this node’s table (CALICO_BLOCK_ROUTE_MISSING on a full capture), so pods here cannot reach pods there. Typical causes: TCP 179 blocked between the nodes, a wrong node address autodetected (IP_AUTODETECTION_METHOD picked another interface), or calico-node not running on the peer.',
    remediation:
      'Check the peer’s address is the node’s real address (`calicoctl get node -o yaml`), that TCP 179 is open both ways (`nc -zv <peer> 179`), and calico-node on the peer (`kubectl -n calico-system logs` / BIRD logs for the Info column’s reason).',
  },
  {
    id: 'CALICO_BGP_NO_PEERS',
    scope: 'capture',
    severity: 'warning',
    title: 'A BGP-mode node has no BGP peers',
    explanation:
      'A node whose pod routes come from BIRD (BGP-only or IPIP mode: BIRD blackholes, BIRD routes or tunl0 in use) learns the other nodes’ blocks only from BGP peers. `calicoctl node status` listing no peer at all means the mesh is off without route reflectors configured, or this node is excluded from them: it learns no routes and nobody learns its blocks. Not raised when a kubectl listing in the capture shows a single-node cluster.',
    remediation: 'Check `calicoctl get bgpconfig` (nodeToNodeMeshEnabled) and `calicoctl get bgppeer`; with route reflectors, that the node matches a peer selector.',
  },
  {
    id: 'CALICO_NODE_NOT_RUNNING',
    scope: 'capture',
    severity: 'error',
    title: 'calico-node is not running on the node',
    explanation:
      '`calicoctl node status` reports that the Calico process is not running: nothing programs routes, veths or proxy ARP for new pods, BIRD advertises nothing, and existing state goes stale as pods come and go.',
    remediation: 'Look at the calico-node pod on that node (`kubectl -n kube-system|calico-system get pods -o wide`, its logs and readiness), and at the node’s datastore access.',
  },
  // ---- history ----------------------------------------------------------------------------
  {
    id: 'NEIGHBOR_MAC_FLAP',
    scope: 'history',
    severity: 'warning',
    title: 'A neighbour’s MAC changed for the same IP',
    explanation:
      'A neighbour entry whose link-layer address changes in place means two devices answer ARP for one IP (an IP conflict, a second proxy-ARP responder, a failover), or a veth MAC that changed under the pod. Traffic goes to whichever answered last. NUD state changes (REACHABLE↔STALE) are normalised away and do not count; an entry that is deleted and relearnt does not count either.',
    remediation: 'Find both owners of the IP (`tcpdump -e arp`), and check for duplicate addresses or a misbehaving proxy-ARP host.',
  },
  {
    id: 'ROUTE_FLAP',
    scope: 'history',
    severity: 'warning',
    title: 'A route keeps being deleted and re-added',
    explanation:
      'A route that is deleted and re-added again and again (flapThreshold cycles, 3 by default, within the window) points at an unstable BGP session, two agents fighting over the route, or a link bouncing; each gap drops traffic for the prefix.',
    remediation: 'Look at BIRD/felix logs around the times in the evidence, and for a second agent (kube-router, a cloud route controller) managing the same prefix.',
  },
  {
    id: 'PROXY_ARP_TOGGLED',
    scope: 'history',
    severity: 'warning',
    title: 'proxy_arp keeps being switched on and off',
    explanation:
      'proxy_arp on a veth should be set once when the pod is wired. A value that changes repeatedly (threshold 3 changes within the window by default) means two agents fight over the sysctl, and each time it is off the pod cannot resolve 169.254.1.1. A single change is not flapping: a value that stays off is CALICO_PROXY_ARP’s business.',
    remediation: 'Find the agent rewriting /proc/sys/net/ipv4/conf/*/proxy_arp (a sysctl.d glob, a security hardening job, a second CNI).',
  },
];

const BY_ID = new Map(RULES.map((r) => [r.id, r]));

export function ruleById(id: string): RuleDefinition | undefined {
  return BY_ID.get(id);
}

/**
 * What each tools/netlab fault produces on the healthy lab's facts — exactly this rule and
 * no other (libs/checks/README.md). The API's end-to-end suite injects each fault and waits
 * for the finding.
 */
export const NETLAB_FAULT_RULES: Record<string, string> = {
  'proxy-arp-off': 'CALICO_PROXY_ARP',
  'proxy-delay-default': 'CALICO_PROXY_DELAY',
  'host-route-missing': 'CALICO_HOST_ROUTE',
  'veth-mac-wrong': 'CALICO_VETH_MAC',
  'mtu-mismatch': 'CALICO_POD_MTU',
  'blackhole-missing': 'CALICO_BLACKHOLE',
  'remote-block-route-missing': 'CALICO_BLOCK_ROUTE_MISSING',
  'remote-block-wrong-node': 'CALICO_BLOCK_ROUTE_WRONG_NODE',
  'ip-forward-off': 'CALICO_IP_FORWARD',
  'default-route-missing': 'CALICO_EXIT_ROUTE',
  'duplicate-pod-ip': 'CALICO_DUPLICATE_ADDRESS',
};
