-- Silences (issue #14): an operator acknowledges a group of findings (one rule, one node or
-- all, subjects matching a pattern or all) with a reason, until an expiry. Silenced findings
-- are still evaluated and listed; creating and revoking a silence is written to audit_log.

-- CreateTable
CREATE TABLE "silence" (
    "id" BIGSERIAL NOT NULL,
    "rule" TEXT NOT NULL,
    "node" TEXT,
    "subject_pattern" TEXT,
    "subject_like" TEXT,
    "reason" TEXT NOT NULL,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "silence_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "silence_rule_expires_at_idx" ON "silence"("rule", "expires_at");

-- CreateIndex
CREATE INDEX "silence_created_at_idx" ON "silence"("created_at");
