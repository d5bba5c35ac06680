-- Tokens as an operator manages them (issue #12 §4): expiry, keyed hashes, names unique among
-- the tokens not revoked (a rotated or replaced token keeps its row, revoked, under its name),
-- and the server's own generated secrets.
--
-- Existing rows hold an unsalted sha256 of their token: they are marked `sha256` and rehashed
-- with the HMAC key the first time their token is presented (or seeded from the environment).

-- AlterTable
ALTER TABLE "api_token" ADD COLUMN "expires_at" TIMESTAMPTZ(3);
ALTER TABLE "api_token" ADD COLUMN "hash_scheme" TEXT NOT NULL DEFAULT 'sha256';
ALTER TABLE "api_token" ALTER COLUMN "hash_scheme" DROP DEFAULT;

-- DropIndex
DROP INDEX "api_token_name_key";

-- CreateIndex
CREATE UNIQUE INDEX "api_token_active_name_key" ON "api_token"("name") WHERE revoked_at IS NULL;

-- CreateTable
CREATE TABLE "server_secret" (
    "name" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "server_secret_pkey" PRIMARY KEY ("name")
);
