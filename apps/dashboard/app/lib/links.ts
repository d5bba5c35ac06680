import { toIso } from './time';

/** `path?k=v&…` without empty values; the order of `params` is kept so URLs stay stable. */
export function hrefWith(path: string, params: Record<string, string | number | undefined | null>): string {
  // ':' needs no escaping in a query, and times read better without %3A in a shared link.
  const text = Object.entries(params)
    .filter(([, value]) => value !== undefined && value !== null && value !== '')
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(String(value)).replace(/%3A/gi, ':')}`)
    .join('&');
  return text ? `${path}?${text}` : path;
}

export function nodeHref(node: string, params: Record<string, string | number | undefined | null> = {}): string {
  return hrefWith(`/nodes/${encodeURIComponent(node)}`, params);
}

/** The diff of one node over (from, to]. */
export function diffHref(node: string, from: Date, to: Date): string {
  return hrefWith(`/nodes/${encodeURIComponent(node)}/diff`, { from: toIso(from), to: toIso(to) });
}

/** The diff that shows exactly the changes recorded at `at`: the state just before against the state at `at`. */
export function changeDiffHref(node: string, at: string): string {
  const t = Date.parse(at);
  return diffHref(node, new Date(t - 1), new Date(t));
}

export function reviewHref(from: Date, to: Date): string {
  return hrefWith('/review', { from: toIso(from), to: toIso(to) });
}
