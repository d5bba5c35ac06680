-- DropForeignKey
ALTER TABLE "finding" DROP CONSTRAINT "finding_node_id_fkey";

-- AlterTable
ALTER TABLE "finding" ADD COLUMN     "scope" TEXT NOT NULL,
ALTER COLUMN "node_id" SET NOT NULL;

-- CreateTable
CREATE TABLE "cluster_object" (
    "id" BIGSERIAL NOT NULL,
    "kind" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "attrs" JSONB NOT NULL,
    "valid_from" TIMESTAMPTZ(3) NOT NULL,
    "valid_to" TIMESTAMPTZ(3),

    CONSTRAINT "cluster_object_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "finding_open_key" ON "finding"("rule", "node_id", "subject") WHERE resolved_at IS NULL;

-- CreateIndex
CREATE INDEX "cluster_object_kind_key_valid_from_idx" ON "cluster_object"("kind", "key", "valid_from");

-- CreateIndex
CREATE INDEX "cluster_object_valid_from_idx" ON "cluster_object"("valid_from");

-- CreateIndex
CREATE INDEX "cluster_object_valid_to_idx" ON "cluster_object"("valid_to");

-- CreateIndex
CREATE UNIQUE INDEX "cluster_object_current_key" ON "cluster_object"("kind", "key") WHERE valid_to IS NULL;

-- AddForeignKey
ALTER TABLE "finding" ADD CONSTRAINT "finding_node_id_fkey" FOREIGN KEY ("node_id") REFERENCES "node"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- ---------------------------------------------------------------------------------------
-- Hand-written: constraints Prisma's schema language cannot express.
-- ---------------------------------------------------------------------------------------

ALTER TABLE "finding" ADD CONSTRAINT "finding_scope_check" CHECK ("scope" IN ('node', 'cluster', 'history'));
ALTER TABLE "finding" ADD CONSTRAINT "finding_resolved_after_opened_check" CHECK ("resolved_at" IS NULL OR "resolved_at" >= "opened_at");
ALTER TABLE "cluster_object" ADD CONSTRAINT "cluster_object_kind_check" CHECK ("kind" IN ('node', 'pod', 'ippool', 'blockaffinity', 'ipamblock'));
ALTER TABLE "cluster_object" ADD CONSTRAINT "cluster_object_valid_interval_check" CHECK ("valid_to" IS NULL OR "valid_to" > "valid_from");
