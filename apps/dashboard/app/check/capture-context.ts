import type { CaptureContextInput, CapturePoolEncapsulation } from '../lib/generated/graphql';

// What the checks may know beyond the paste: the cluster's Calico IP pools, entered on the page
// (kubectl listings inside the paste are read by the API itself). With them, block-size and
// encapsulation rules use the pools instead of Calico's defaults.

export const ENCAPSULATIONS: readonly CapturePoolEncapsulation[] = ['IPIP', 'VXLAN', 'None'];

/** One IP pool as typed in the form (numbers stay text until sent: empty means "not given"). */
export interface PoolRow {
  cidr: string;
  encapsulation: CapturePoolEncapsulation;
  blockSize: string;
  mtu: string;
}

export const EMPTY_POOL: PoolRow = { cidr: '', encapsulation: 'IPIP', blockSize: '', mtu: '' };

/** The context the API takes; rows without a CIDR are left out, null when no pool is given. */
export function poolsContext(rows: readonly PoolRow[]): CaptureContextInput | null {
  const given = rows.filter((row) => row.cidr.trim() !== '');
  if (given.length === 0) return null;
  return {
    ipPools: given.map((row, i) => ({
      name: `pool-${i + 1}`,
      cidr: row.cidr.trim(),
      encapsulation: row.encapsulation,
      blockSize: row.blockSize.trim() === '' ? null : Number(row.blockSize),
      mtu: row.mtu.trim() === '' ? null : Number(row.mtu),
    })),
  };
}

/** `pools=` fragment parameter: the given rows as compact text, `cidr,encapsulation,blockSize,mtu;…`. */
export function encodePools(rows: readonly PoolRow[]): string {
  return rows
    .filter((row) => row.cidr.trim() !== '')
    .map((row) => [row.cidr.trim(), row.encapsulation, row.blockSize.trim(), row.mtu.trim()].join(','))
    .join(';');
}

/** The rows a `pools=` parameter carries; unreadable entries are dropped (the link may have been edited). */
export function decodePools(value: string | null): PoolRow[] {
  if (!value) return [];
  return value.split(';').flatMap((entry) => {
    const [cidr = '', encapsulation = '', blockSize = '', mtu = ''] = entry.split(',');
    if (cidr === '' || !ENCAPSULATIONS.includes(encapsulation as CapturePoolEncapsulation)) return [];
    return [{ cidr, encapsulation: encapsulation as CapturePoolEncapsulation, blockSize, mtu }];
  });
}
