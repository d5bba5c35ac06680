import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Database } from '@routescope/db';
import type { FactAttributes } from '@routescope/snapshot';
import { DATABASE } from '../../database/database.module';
import { toAttributes } from './fact-rows';

/**
 * Attributes held per replica, least recently used dropped first. A few hundred bytes each:
 * the attributes every state shares (sysctl values, block routes, link flags) and those of the
 * nodes read lately. Measured at 1,000 nodes × 90 days: a node's 1,615 facts probed
 * `fact_attrs_pkey` 1,615 times (16 ms of a state read whose fact rows take 2 ms).
 */
export const CACHED_ATTRS = 250_000;
/** Overrides CACHED_ATTRS (tests). */
export const FACT_ATTRS_CAPACITY = Symbol('FACT_ATTRS_CAPACITY');

/**
 * fact_attrs by id. The table is content-addressed (the id is md5 of the jsonb text) and rows
 * are never updated or deleted, so an id names the same attributes forever and a replica may
 * keep them: the reads of the fact store send attrs ids and resolve them here, reading only
 * the ids not held, each text parsed once and its object shared by every fact that has it
 * (treat attributes as immutable).
 */
@Injectable()
export class FactAttrsRepository {
  private readonly held = new Map<string, FactAttributes>();

  private readonly capacity: number;

  constructor(@Inject(DATABASE) private readonly database: Database, @Optional() @Inject(FACT_ATTRS_CAPACITY) capacity?: number) {
    this.capacity = capacity ?? CACHED_ATTRS;
  }

  /** The attributes of each of `ids`; throws if one is not in fact_attrs (a fact row always names one that is). */
  async byIds(ids: Iterable<string>): Promise<Map<string, FactAttributes>> {
    const found = new Map<string, FactAttributes>();
    const missing: string[] = [];
    for (const id of ids) {
      if (found.has(id)) continue;
      const attrs = this.held.get(id);
      if (attrs === undefined) {
        missing.push(id);
        continue;
      }
      // Map keeps insertion order: re-inserting marks the entry as used last.
      this.held.delete(id);
      this.held.set(id, attrs);
      found.set(id, attrs);
    }
    if (missing.length > 0) {
      const rows = await this.database.prisma.$queryRaw<Array<{ id: string; attrs: string }>>`
        SELECT id::text AS id, attrs::text AS attrs FROM fact_attrs WHERE id = ANY(${missing}::uuid[])`;
      for (const row of rows) {
        const attrs = toAttributes(JSON.parse(row.attrs));
        found.set(row.id, attrs);
        this.held.set(row.id, attrs);
      }
      if (this.held.size > this.capacity) dropLeastRecentlyUsed(this.held, this.capacity);
      const absent = missing.find((id) => !found.has(id));
      if (absent !== undefined) throw new Error(`fact_attrs ${absent} does not exist`);
    }
    return found;
  }

  /** How many attributes this replica holds (metrics, tests). */
  get size(): number {
    return this.held.size;
  }
}

/**
 * Drops the least recently used tenth of `held` (its first keys) in one pass. One at a time would
 * be quadratic: a Map keeps deleted entries as holes until it rehashes, and each `keys().next()`
 * walks over all of them from the start (150,000 single evictions from a 250,000-entry Map: 8 s;
 * batched: 0.3 s).
 */
function dropLeastRecentlyUsed(held: Map<string, unknown>, capacity: number): void {
  let drop = held.size - Math.floor(capacity * 0.9);
  for (const id of held.keys()) {
    if (drop-- <= 0) break;
    held.delete(id);
  }
}
