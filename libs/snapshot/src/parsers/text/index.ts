export { parseIpLinkText } from './ip-link-text-parser';
export { parseIpAddrText, type IpAddrTextResult } from './ip-addr-text-parser';
export { parseIpRouteText, IGNORED_ROUTE_KEYWORDS, type IpRouteTextOptions } from './ip-route-text-parser';
export { parseIpNeighText, type IpNeighTextOptions } from './ip-neigh-text-parser';
export { parseSysctlText } from './sysctl-text-parser';
export { parseTcpdumpText, type TcpdumpTextOptions, type TcpdumpTextResult } from './tcpdump-text-parser';
