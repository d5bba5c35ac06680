-- Content-addressed fact attributes (issue #16, docs/scaling.md "Storage"). Most attributes
-- repeat across pods and nodes (every pod's 169.254.1.1 route and neighbour, every node's route
-- to the same block), so a fact row keeps a 16-byte reference to one shared copy instead of
-- ~140 bytes of JSON.
--
-- fact_attrs.id is md5(attrs::text) as a uuid: jsonb prints the same value as the same text
-- (keys sorted, whitespace normalised), so the writer derives the id in SQL and inserts the
-- attributes if absent (ON CONFLICT DO NOTHING) in the statement that inserts the facts; no
-- round trip, and two transactions writing the same new attributes at once cannot disagree.
-- No foreign key from fact: fact_attrs is a reference table shared by every node (Citus: a
-- reference table), never deleted from while a fact may point at it.
--
-- Existing rows: every distinct attrs value becomes one fact_attrs row, every fact row gets the
-- id of its value, then fact.attrs is dropped. The UPDATE rewrites each fact row once (the table
-- holds two versions until (auto)VACUUM; VACUUM FULL fact returns the space at once).

CREATE TABLE "fact_attrs" (
    "id" UUID NOT NULL,
    "attrs" JSONB NOT NULL,

    CONSTRAINT "fact_attrs_pkey" PRIMARY KEY ("id")
);

INSERT INTO "fact_attrs" ("id", "attrs")
SELECT DISTINCT ON (md5("attrs"::text)) md5("attrs"::text)::uuid, "attrs" FROM "fact";

ALTER TABLE "fact" ADD COLUMN "attrs_id" UUID;
UPDATE "fact" SET "attrs_id" = md5("attrs"::text)::uuid;
ALTER TABLE "fact" ALTER COLUMN "attrs_id" SET NOT NULL;
ALTER TABLE "fact" DROP COLUMN "attrs";
