-- CreateTable
CREATE TABLE "node" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "first_seen_at" TIMESTAMPTZ(3) NOT NULL,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL,
    "last_received_at" TIMESTAMPTZ(3) NOT NULL,
    "last_snapshot_id" UUID NOT NULL,
    "last_boot_id" TEXT NOT NULL,
    "last_seq" BIGINT NOT NULL,
    "interval_ms" INTEGER NOT NULL DEFAULT 30000,
    "state_hash" TEXT NOT NULL,
    "state_version" INTEGER NOT NULL DEFAULT 0,
    "kernel" TEXT,
    "iproute2" TEXT,
    "collector_version" TEXT,

    CONSTRAINT "node_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "snapshot" (
    "id" UUID NOT NULL,
    "node_id" INTEGER NOT NULL,
    "taken_at" TIMESTAMPTZ(3) NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL,
    "hash" TEXT NOT NULL,
    "changes" INTEGER NOT NULL,
    "boot_id" TEXT NOT NULL,
    "seq" BIGINT NOT NULL,
    "source" TEXT NOT NULL,
    "warnings" JSONB NOT NULL DEFAULT '[]',

    CONSTRAINT "snapshot_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "fact" (
    "id" BIGSERIAL NOT NULL,
    "node_id" INTEGER NOT NULL,
    "ns" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "attrs" JSONB NOT NULL,
    "valid_from" TIMESTAMPTZ(3) NOT NULL,
    "valid_to" TIMESTAMPTZ(3),

    CONSTRAINT "fact_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "coverage" (
    "id" SERIAL NOT NULL,
    "node_id" INTEGER NOT NULL,
    "start_at" TIMESTAMPTZ(3) NOT NULL,
    "end_at" TIMESTAMPTZ(3) NOT NULL,
    "snapshots" INTEGER NOT NULL DEFAULT 1,

    CONSTRAINT "coverage_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_token" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "token_hash" TEXT NOT NULL,
    "scopes" TEXT[],
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revoked_at" TIMESTAMPTZ(3),
    "last_used_at" TIMESTAMPTZ(3),

    CONSTRAINT "api_token_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "finding" (
    "id" BIGSERIAL NOT NULL,
    "node_id" INTEGER,
    "rule" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "severity" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "evidence" JSONB NOT NULL,
    "opened_at" TIMESTAMPTZ(3) NOT NULL,
    "resolved_at" TIMESTAMPTZ(3),

    CONSTRAINT "finding_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "node_name_key" ON "node"("name");

-- CreateIndex
CREATE INDEX "node_last_seen_at_idx" ON "node"("last_seen_at");

-- CreateIndex
CREATE INDEX "snapshot_node_id_taken_at_idx" ON "snapshot"("node_id", "taken_at");

-- CreateIndex
CREATE INDEX "snapshot_taken_at_idx" ON "snapshot"("taken_at");

-- CreateIndex
CREATE INDEX "fact_node_id_ns_kind_key_valid_from_idx" ON "fact"("node_id", "ns", "kind", "key", "valid_from");

-- CreateIndex
CREATE INDEX "fact_node_id_valid_from_idx" ON "fact"("node_id", "valid_from");

-- CreateIndex
CREATE INDEX "fact_node_id_valid_to_idx" ON "fact"("node_id", "valid_to");

-- CreateIndex
CREATE INDEX "fact_valid_from_idx" ON "fact"("valid_from");

-- CreateIndex
CREATE INDEX "fact_valid_to_idx" ON "fact"("valid_to");

-- CreateIndex
CREATE UNIQUE INDEX "fact_current_key" ON "fact"("node_id", "ns", "kind", "key") WHERE valid_to IS NULL;

-- CreateIndex
CREATE INDEX "coverage_node_id_start_at_idx" ON "coverage"("node_id", "start_at");

-- CreateIndex
CREATE INDEX "coverage_node_id_end_at_idx" ON "coverage"("node_id", "end_at");

-- CreateIndex
CREATE UNIQUE INDEX "api_token_name_key" ON "api_token"("name");

-- CreateIndex
CREATE UNIQUE INDEX "api_token_token_hash_key" ON "api_token"("token_hash");

-- CreateIndex
CREATE INDEX "finding_node_id_opened_at_idx" ON "finding"("node_id", "opened_at");

-- CreateIndex
CREATE INDEX "finding_opened_at_idx" ON "finding"("opened_at");

-- CreateIndex
CREATE INDEX "finding_resolved_at_idx" ON "finding"("resolved_at");

-- CreateIndex
CREATE INDEX "finding_rule_subject_idx" ON "finding"("rule", "subject");

-- AddForeignKey
ALTER TABLE "snapshot" ADD CONSTRAINT "snapshot_node_id_fkey" FOREIGN KEY ("node_id") REFERENCES "node"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "fact" ADD CONSTRAINT "fact_node_id_fkey" FOREIGN KEY ("node_id") REFERENCES "node"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "coverage" ADD CONSTRAINT "coverage_node_id_fkey" FOREIGN KEY ("node_id") REFERENCES "node"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "finding" ADD CONSTRAINT "finding_node_id_fkey" FOREIGN KEY ("node_id") REFERENCES "node"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- ---------------------------------------------------------------------------------------
-- Hand-written below this line: constraints the Prisma schema language cannot express.
-- Prisma neither generates nor introspects CHECK constraints, so `migrate diff` will not
-- try to drop them, and the drift test (libs/db) only compares what schema.prisma states.
-- ---------------------------------------------------------------------------------------

-- AddCheckConstraint: the fact kinds ingest knows how to normalise (DESIGN.md, "Storage").
ALTER TABLE "fact" ADD CONSTRAINT "fact_kind_check" CHECK ("kind" IN ('netns', 'link', 'address', 'route', 'neighbor', 'sysctl'));

-- AddCheckConstraint: a fact is valid in [valid_from, valid_to), so a closed interval must
-- not be empty: closing a fact at the instant it opened is an ingest bug, not history.
-- An open fact (valid_to IS NULL) passes, as CHECK accepts NULL.
ALTER TABLE "fact" ADD CONSTRAINT "fact_valid_interval_check" CHECK ("valid_to" > "valid_from");

-- AddCheckConstraint: the severities the API and dashboard understand.
ALTER TABLE "finding" ADD CONSTRAINT "finding_severity_check" CHECK ("severity" IN ('info', 'warning', 'error', 'critical'));
