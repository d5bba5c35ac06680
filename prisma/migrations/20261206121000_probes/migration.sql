-- Live probes (issue #11): jobs the API queues for a node's collector, which pulls them
-- (GET /api/v1/probes/next) and posts the result. One row per probe, from request to verdict;
-- the result (captures bounded by the collector and by the API) is kept as timed evidence.

-- CreateTable
CREATE TABLE "probe" (
    "id" UUID NOT NULL,
    "node" TEXT NOT NULL,
    "pod" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "target" TEXT,
    "state" TEXT NOT NULL,
    "verdict" TEXT,
    "reason" TEXT,
    "requested_by" TEXT NOT NULL,
    "requested_at" TIMESTAMPTZ(3) NOT NULL,
    "dispatched_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    "timeout_ms" INTEGER NOT NULL,
    "max_packets" INTEGER NOT NULL,
    "result" JSONB,
    "state_version_at" INTEGER,
    "snapshot_taken_at" TIMESTAMPTZ(3),

    CONSTRAINT "probe_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "probe_node_requested_at_idx" ON "probe"("node", "requested_at");

-- CreateIndex
CREATE INDEX "probe_requested_at_idx" ON "probe"("requested_at");

-- CreateIndex: one probe at a time per node (queued or dispatched)
CREATE UNIQUE INDEX "probe_active_node_key" ON "probe"("node") WHERE state IN ('queued', 'dispatched');

ALTER TABLE "probe" ADD CONSTRAINT "probe_kind_check" CHECK ("kind" IN ('proxy-arp', 'path'));
ALTER TABLE "probe" ADD CONSTRAINT "probe_state_check" CHECK ("state" IN ('queued', 'dispatched', 'done', 'expired', 'collector-unreachable'));

-- Findings of probes (PROBE_PROXY_ARP_FAILED) are owned by the probes module, not by an evaluation.
ALTER TABLE "finding" DROP CONSTRAINT "finding_scope_check";
ALTER TABLE "finding" ADD CONSTRAINT "finding_scope_check" CHECK ("scope" IN ('node', 'cluster', 'history', 'probe'));
