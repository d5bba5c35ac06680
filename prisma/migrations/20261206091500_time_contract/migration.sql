-- Time is a contract (issue #12 §1):
--  * collectors report their clock skew (collector.clockSkewMs): kept per snapshot record and,
--    from the latest snapshot that carried one, on the node (Node.clockSkew);
--  * a snapshot older than its node's head is history, not an error: `backfilled` when it fell
--    in a gap of coverage (applied there), `late` when it fell inside covered history (kept as
--    a record with its reason, not applied);
--  * operator repairs of history (resetNodeHead) are audited.

-- AlterTable
ALTER TABLE "node" ADD COLUMN "clock_skew_ms" BIGINT;

-- AlterTable
ALTER TABLE "snapshot" ADD COLUMN "clock_skew_ms" BIGINT,
ADD COLUMN "arrival" TEXT NOT NULL DEFAULT 'in_order',
ADD COLUMN "late_reason" TEXT;

-- CreateTable
CREATE TABLE "audit_log" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "details" JSONB NOT NULL,

    CONSTRAINT "audit_log_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "audit_log_at_idx" ON "audit_log"("at");
