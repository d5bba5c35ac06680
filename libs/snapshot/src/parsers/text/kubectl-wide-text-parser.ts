import { familyOf } from '../../contract/address-syntax';
import type { KubernetesListing } from '../../evidence/capture-evidence';
import type { ParseWarning } from '../parse-result';
import { readLines, tokensOf, WarningLog } from './text-input';

/**
 * `kubectl get pods -o wide` (with `-A`/`--all-namespaces`: a NAMESPACE column first) and
 * `kubectl get nodes -o wide`. Columns are found by the header's names, values by splitting on
 * runs of spaces: the columns read here never contain spaces, except RESTARTS (`3 (2d ago)`)
 * and OS-IMAGE/KERNEL (after the ones read). Extra header lines from several `kubectl get`
 * calls start a new table.
 */

export interface KubectlWideResult {
  listing: KubernetesListing;
  warnings: ParseWarning[];
  /** rows read; 0 with no header means the text is not a kubectl listing. */
  rows: number;
  headers: number;
}

export function parseKubectlWideText(text: string): KubectlWideResult {
  const log = new WarningLog();
  const listing: KubernetesListing = { pods: [], nodes: [] };
  let table: { kind: 'pods' | 'nodes'; columns: string[] } | undefined;
  let rows = 0;
  let headers = 0;
  for (const { line, text: content } of readLines(text, log)) {
    const tokens = tokensOf(content);
    if (tokens[0] === 'NAME' || (tokens[0] === 'NAMESPACE' && tokens[1] === 'NAME')) {
      const columns = mergeHeaderWords(tokens);
      const kind = columns.includes('INTERNAL-IP') ? 'nodes' : 'pods';
      table = { kind, columns };
      headers++;
      continue;
    }
    if (/^No resources found/.test(content)) {
      headers++;
      continue;
    }
    if (!table) {
      log.add(line, 'row before any "NAME …" header line; skipped');
      continue;
    }
    const cells = splitRow(content, table.columns);
    const get = (name: string) => {
      const v = cells.get(name);
      return v === undefined || v === '<none>' || v === '<pending>' ? undefined : v;
    };
    const name = get('NAME');
    if (!name) continue;
    rows++;
    if (table.kind === 'nodes') {
      const internalIP = get('INTERNAL-IP');
      const externalIP = get('EXTERNAL-IP');
      listing.nodes.push(compact({ line, name, internalIP: internalIP && familyOf(internalIP) ? internalIP : undefined, externalIP: externalIP && familyOf(externalIP) ? externalIP : undefined, status: get('STATUS') }));
    } else {
      const ip = get('IP');
      listing.pods.push(compact({ line, namespace: get('NAMESPACE'), name, ip: ip && familyOf(ip) ? ip : undefined, node: get('NODE'), status: get('STATUS') }));
    }
  }
  return { listing, warnings: log.finish(), rows, headers };
}

/** `NOMINATED NODE` and `READINESS GATES` are one column each (their values are one token). */
function mergeHeaderWords(tokens: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const pair = `${tokens[i]} ${tokens[i + 1] ?? ''}`;
    if (pair === 'NOMINATED NODE' || pair === 'READINESS GATES') {
      out.push(pair);
      i++;
    } else out.push(tokens[i]);
  }
  return out;
}

/**
 * Values by column name. RESTARTS may print `3 (2d ago)`: the tokens between READY's and AGE's
 * positions are glued back so the columns after it keep their place.
 */
function splitRow(content: string, columns: string[]): Map<string, string> {
  let tokens = tokensOf(content);
  const extra = tokens.length - columns.length;
  const restarts = columns.indexOf('RESTARTS');
  if (extra > 0 && restarts >= 0) {
    const glued = tokens.slice(restarts, restarts + 1 + extra).join(' ');
    tokens = [...tokens.slice(0, restarts), glued, ...tokens.slice(restarts + 1 + extra)];
  }
  const out = new Map<string, string>();
  columns.forEach((column, i) => {
    if (tokens[i] !== undefined) out.set(column, tokens[i]);
  });
  return out;
}

function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
