import { Inject, Injectable } from '@nestjs/common';
import type { Database } from '@routescope/db';
import { DATABASE } from '../../database/database.module';

/** A node holding an address now: `address` is the local address as stored, or a VXLAN device's MAC (lower case). */
export interface AddressHolderRow {
  address: string;
  node: string;
  nodeId: number;
}

/**
 * Who holds an address now, by index (migration 20261208200000_address_holder_indexes): the
 * attrs ids whose `local` is the address (or, for a VTEP, whose VXLAN `mac` is), then the open
 * facts of the right kind with one of those attrs ids. A look-up costs a few index probes
 * whatever the cluster's size, where reading every node's open facts cost seconds.
 */
@Injectable()
export class AddressHolderRepository {
  constructor(@Inject(DATABASE) private readonly database: Database) {}

  /** The nodes with an open address fact whose `local` is one of `addresses`, and with an open VXLAN link whose MAC is one of `macs` (lower case), in (address, node) order. */
  async holdersOf(addresses: readonly string[], macs: readonly string[]): Promise<{ addresses: AddressHolderRow[]; macs: AddressHolderRow[] }> {
    const prisma = this.database.prisma;
    const [byAddress, byMac] = await Promise.all([
      addresses.length === 0
        ? []
        : prisma.$queryRaw<AddressHolderRow[]>`
          SELECT DISTINCT a.attrs ->> 'local' AS address, n.name AS node, n.id AS "nodeId"
          FROM fact_attrs a
          JOIN fact f ON f.attrs_id = a.id AND f.valid_to IS NULL AND f.kind = 'address'
          JOIN node n ON n.id = f.node_id
          WHERE a.attrs ? 'local' AND a.attrs ->> 'local' = ANY(${[...addresses]}::text[]) AND jsonb_typeof(a.attrs -> 'local') = 'string'
          ORDER BY 1, 2`,
      macs.length === 0
        ? []
        : prisma.$queryRaw<AddressHolderRow[]>`
          SELECT DISTINCT lower(a.attrs ->> 'mac') AS address, n.name AS node, n.id AS "nodeId"
          FROM fact_attrs a
          JOIN fact f ON f.attrs_id = a.id AND f.valid_to IS NULL AND f.kind = 'link'
          JOIN node n ON n.id = f.node_id
          WHERE a.attrs ->> 'kind' = 'vxlan' AND lower(a.attrs ->> 'mac') = ANY(${[...macs]}::text[]) AND jsonb_typeof(a.attrs -> 'mac') = 'string'
          ORDER BY 1, 2`,
    ]);
    return { addresses: byAddress, macs: byMac };
  }
}
