-- Snapshot records are kept for a shorter window than the rest of history
-- (ROUTESCOPE_SNAPSHOT_RETENTION_DAYS, 7 by default; they serve idempotency and provenance). The
-- change counts read them (one row per changed snapshot instead of the fact rows), so retention
-- records here, in the statement that deletes a batch, the instant before which the records may
-- be gone; the counts read the fact rows before it and the records from it on.
--
-- Existing rows: none change; the table starts empty (nothing trimmed yet: the records are
-- complete since the first snapshot).

CREATE TABLE "retention_cutoff" (
    "table_name" TEXT NOT NULL,
    "cutoff" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "retention_cutoff_pkey" PRIMARY KEY ("table_name")
);
