-- Every primary key and unique index of the per-node history tables leads with node_id, the
-- column a distributed engine (Citus) would shard them by (docs/scaling.md, "Distribution by
-- node"): a key that does not contain the distribution column cannot be enforced per shard.
-- libs/db's node-keys.spec.ts checks this over the migrated catalog.
--
-- Existing rows: none change; each key is rebuilt on the same rows with node_id in front (the
-- ids stay unique, so (node_id, id) is too). fact_current_key already leads with node_id.
--
-- snapshot.id (the collector's snapshotId) stays findable by itself through a plain index: ingest
-- asks whether ANY node already recorded an id (idempotency across nodes). The database no longer
-- refuses one id under two nodes; ingest takes a transaction-level advisory lock on the id before
-- that look-up instead (HistoryWriterRepository.snapshotOwner).

-- fact's key is (node_id, valid_from, id): it also serves every read of a node's changes by
-- valid_from, so the (node_id, valid_from) index it replaces is dropped. A (node_id, id) key was a
-- third per-node B-tree (~136 B per interval, as much as sharing the attributes saved: bench).
ALTER TABLE "fact" DROP CONSTRAINT "fact_pkey";
ALTER TABLE "fact" ADD CONSTRAINT "fact_pkey" PRIMARY KEY ("node_id", "valid_from", "id");
DROP INDEX "fact_node_id_valid_from_idx";

ALTER TABLE "coverage" DROP CONSTRAINT "coverage_pkey";
ALTER TABLE "coverage" ADD CONSTRAINT "coverage_pkey" PRIMARY KEY ("node_id", "id");

ALTER TABLE "snapshot" DROP CONSTRAINT "snapshot_pkey";
ALTER TABLE "snapshot" ADD CONSTRAINT "snapshot_pkey" PRIMARY KEY ("node_id", "id");
CREATE INDEX "snapshot_id_idx" ON "snapshot"("id");
