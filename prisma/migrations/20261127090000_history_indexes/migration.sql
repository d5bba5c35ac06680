-- History indexes sized for 90 days × 1,000 nodes, and heads that update in place (issue #6,
-- bench/results.json):
--  * state(at) reads a node's rows closed after T and filters valid_from in the index, instead of
--    every row the node ever had before T (fact_node_id_valid_from_idx);
--  * the (node_id, ns, kind, key, valid_from) index was the largest one (text keys) and only served
--    the before/after look-ups of change queries, which (node_id, valid_to/valid_from) serve too;
--  * every snapshot updates its node row and extends its coverage row. With no index on the
--    columns those updates change (node.last_seen_at, coverage.end_at) and room on the page, they
--    are HOT updates: no new index entries, no bloat growing with time. The node list filters
--    ≤ 10,000 rows without an index; the latest coverage of a node is the one that started last.

-- DropIndex
DROP INDEX "fact_node_id_ns_kind_key_valid_from_idx";

-- DropIndex
DROP INDEX "fact_node_id_valid_to_idx";

-- CreateIndex
CREATE INDEX "fact_node_id_valid_to_valid_from_idx" ON "fact"("node_id", "valid_to", "valid_from");

-- DropIndex
DROP INDEX "node_last_seen_at_idx";

-- DropIndex
DROP INDEX "coverage_node_id_end_at_idx";

-- ---------------------------------------------------------------------------------------
-- Hand-written: storage parameters Prisma's schema language cannot express.
-- ---------------------------------------------------------------------------------------
ALTER TABLE "node" SET (fillfactor = 50);
ALTER TABLE "coverage" SET (fillfactor = 70);
