-- fact partitioned by week on valid_to (issue #16; docs/scaling.md, "Time partitioning of the
-- history tables"): one partition per ISO week (Monday 00:00 UTC), named fact_w<IYYY>_<IW>; the
-- open rows (valid_to IS NULL) in the DEFAULT partition fact_open, whose CHECK (valid_to IS NULL)
-- lets PostgreSQL create a week partition without scanning it (the whole current state, under an
-- ACCESS EXCLUSIVE lock). Retention then drops whole weeks instead of deleting rows.
--
-- Keys: a unique index of a partitioned table must contain the partition key, and valid_to is
-- nullable, so fact has no primary key any more:
-- - fact_node_id_id_valid_to_key UNIQUE (node_id, id, valid_to): the model's unique criterion for
--   Prisma and the look-up of a node's rows by id; ids come from one sequence, so they stay unique.
-- - fact_current_key UNIQUE (node_id, ns, kind, key, valid_to) NULLS NOT DISTINCT WHERE valid_to IS
--   NULL: still one open row per key (the NULLs compare equal; only fact_open holds matching rows,
--   the week partitions' copies of it are empty). Prisma cannot state NULLS NOT DISTINCT: the
--   history store's partition spec checks that a second open row is refused.
-- - the (node_id, valid_from, id) key that served a node's changes becomes a plain index.
-- Every local index leads with node_id, except the cluster-wide valid_from / valid_to ones.
--
-- Existing rows are converted: a week partition for every week a closed row ends in (plus last
-- week to four weeks ahead), every row copied with its id (the sequence moves over, so new ids
-- continue), the indexes built after the load (one sort per partition instead of 25 M index
-- insertions), then the old table dropped. No foreign key points at fact (fact_attrs is
-- content-addressed, docs/scaling.md "Storage"); fact's own to node is recreated.

-- The week partition holding `at` as a valid_to, created if absent. Called by the migration, the
-- API's partition-ahead job and its write path (before the ingest transaction, never inside it),
-- and the bench's loaders. The transaction-level advisory lock makes two callers take turns (two
-- concurrent CREATE TABLE IF NOT EXISTS of one name can fail on pg_type's unique index); the
-- existence check first keeps the common case free of the ACCESS EXCLUSIVE lock on fact.
CREATE FUNCTION fact_ensure_week_partition("at" timestamptz) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  monday timestamp := date_trunc('week', "at" AT TIME ZONE 'UTC');
  name text := 'fact_w' || to_char(monday, 'IYYY_IW');
BEGIN
  IF to_regclass(quote_ident(name)) IS NOT NULL THEN
    RETURN name;
  END IF;
  PERFORM pg_advisory_xact_lock(1178682196, 1); -- ('FACT', 1): fact partition DDL
  EXECUTE format('CREATE TABLE IF NOT EXISTS %I PARTITION OF fact FOR VALUES FROM (%L) TO (%L)',
                 name, to_char(monday, 'YYYY-MM-DD') || ' 00:00:00+00', to_char(monday + interval '7 days', 'YYYY-MM-DD') || ' 00:00:00+00');
  RETURN name;
END $$;

-- Retention (the API's FactStore.dropEndedWeeks): drops every week partition whose week ended at or
-- before `cutoff`, returning each one's name and row count. One statement, so its locks last as
-- long as it does: the transaction-level try-lock lets one caller (replica) at a time do it (the
-- others get no rows), and lock_timeout bounds the wait for the ACCESS EXCLUSIVE lock on fact that
-- DROP needs behind ingest transactions (DETACH … CONCURRENTLY is refused when a DEFAULT partition
-- exists): on timeout the statement fails, drops nothing, and the next run tries again.
CREATE FUNCTION fact_drop_weeks_ended_by(cutoff timestamptz) RETURNS TABLE (partition_name text, row_count bigint) LANGUAGE plpgsql AS $$
DECLARE
  week record;
BEGIN
  IF NOT pg_try_advisory_xact_lock(1178682196, 2) THEN -- ('FACT', 2): fact retention
    RETURN;
  END IF;
  PERFORM set_config('lock_timeout', '2s', true);
  FOR week IN
    SELECT c.relname::text AS name
      FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = 'fact'::regclass AND pg_get_expr(c.relpartbound, c.oid) <> 'DEFAULT'
       AND substring(pg_get_expr(c.relpartbound, c.oid) FROM 'TO \(''([^'']+)''\)')::timestamptz <= cutoff
     ORDER BY 1
  LOOP
    partition_name := week.name;
    EXECUTE format('SELECT count(*) FROM %I', week.name) INTO row_count;
    EXECUTE format('DROP TABLE %I', week.name);
    RETURN NEXT;
  END LOOP;
END $$;

CREATE TABLE "fact_partitioned" (
    "id" BIGINT NOT NULL DEFAULT nextval('fact_id_seq'),
    "node_id" INTEGER NOT NULL,
    "ns" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "valid_from" TIMESTAMPTZ(3) NOT NULL,
    "valid_to" TIMESTAMPTZ(3),
    "attrs_id" UUID NOT NULL,
    CONSTRAINT "fact_kind_check" CHECK ("kind" IN ('netns', 'link', 'address', 'route', 'neighbor', 'sysctl')),
    CONSTRAINT "fact_valid_interval_check" CHECK ("valid_to" > "valid_from")
) PARTITION BY RANGE ("valid_to");

CREATE TABLE "fact_open" PARTITION OF "fact_partitioned" DEFAULT;
ALTER TABLE "fact_open" ADD CONSTRAINT "fact_open_only_open_rows" CHECK ("valid_to" IS NULL);

-- The sequence now belongs to the new table (dropping the old one would drop it otherwise).
ALTER SEQUENCE "fact_id_seq" OWNED BY "fact_partitioned"."id";

-- The function names the parent "fact": create the weeks while the old table still has the name
-- would attach them to it, so the new table takes the name first.
ALTER TABLE "fact" RENAME TO "fact_unpartitioned";
ALTER TABLE "fact_partitioned" RENAME TO "fact";

SELECT fact_ensure_week_partition(w)
  FROM (SELECT min("valid_to") AS lo, max("valid_to") AS hi FROM "fact_unpartitioned") r,
       generate_series(date_trunc('week', r.lo AT TIME ZONE 'UTC'), date_trunc('week', r.hi AT TIME ZONE 'UTC'), interval '7 days') AS g(w_utc),
       LATERAL (SELECT g.w_utc AT TIME ZONE 'UTC' AS w) x
 WHERE r.lo IS NOT NULL;
SELECT fact_ensure_week_partition(now() + d * interval '7 days') FROM generate_series(-1, 4) AS d;

INSERT INTO "fact" ("id", "node_id", "ns", "kind", "key", "valid_from", "valid_to", "attrs_id")
SELECT "id", "node_id", "ns", "kind", "key", "valid_from", "valid_to", "attrs_id" FROM "fact_unpartitioned";

DROP TABLE "fact_unpartitioned";

-- Indexes after the load; created on the parent, built on (and attached to) every partition.
CREATE UNIQUE INDEX "fact_node_id_id_valid_to_key" ON "fact"("node_id", "id", "valid_to");
CREATE UNIQUE INDEX "fact_current_key" ON "fact"("node_id", "ns", "kind", "key", "valid_to") NULLS NOT DISTINCT WHERE valid_to IS NULL;
CREATE INDEX "fact_node_id_valid_to_valid_from_idx" ON "fact"("node_id", "valid_to", "valid_from");
CREATE INDEX "fact_node_id_valid_from_id_idx" ON "fact"("node_id", "valid_from", "id");
CREATE INDEX "fact_valid_from_idx" ON "fact"("valid_from");
CREATE INDEX "fact_valid_to_idx" ON "fact"("valid_to");

ALTER TABLE "fact" ADD CONSTRAINT "fact_node_id_fkey" FOREIGN KEY ("node_id") REFERENCES "node"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- the planner's statistics of the new partitions (autovacuum would take a while to get to them)
ANALYZE "fact";
