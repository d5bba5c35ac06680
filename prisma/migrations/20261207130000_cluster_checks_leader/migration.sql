-- Replicas (issue #16): the cross-node rules are evaluated by one replica, the leader, elected
-- with a PostgreSQL advisory lock (apps/api/src/checks/cluster-leadership.service.ts).

-- The leader's term and progress. One row. `term` grows at every election and each cluster
-- evaluation commits only if the term is still its own (a fence against a replica that lost
-- the lock without noticing yet); `evaluated_until` is the last instant the cross-node rules
-- were evaluated at, so a new leader carries on from there.
-- CreateTable
CREATE TABLE "cluster_checks_leader" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "term" INTEGER NOT NULL DEFAULT 0,
    "holder" TEXT,
    "elected_at" TIMESTAMPTZ(3),
    "evaluated_until" TIMESTAMPTZ(3),

    CONSTRAINT "cluster_checks_leader_pkey" PRIMARY KEY ("id")
);

INSERT INTO "cluster_checks_leader" ("id") VALUES (1);

-- Node history changes owed to the cross-node rules, written by the replica that ingested them
-- and deleted by the leader in the transaction that evaluated them: nothing is lost when the
-- leader dies between the two.
-- CreateTable
CREATE TABLE "cluster_check_queue" (
    "node_id" INTEGER NOT NULL,
    "id" BIGSERIAL NOT NULL,
    "node" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "rewritten" BOOLEAN NOT NULL DEFAULT false,
    "removed" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "cluster_check_queue_pkey" PRIMARY KEY ("node_id","id")
);
