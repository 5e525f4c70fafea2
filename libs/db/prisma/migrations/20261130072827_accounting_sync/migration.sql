-- AlterTable
ALTER TABLE "clients" ADD COLUMN     "external_id" TEXT,
ADD COLUMN     "external_provider" TEXT;

-- AlterTable
ALTER TABLE "invoices" ADD COLUMN     "external_id" TEXT,
ADD COLUMN     "external_provider" TEXT,
ADD COLUMN     "external_synced_at" TIMESTAMPTZ(3),
ADD COLUMN     "external_updated_at" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "accounting_connections" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "provider" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "external_tenant_id" TEXT,
    "external_tenant_name" TEXT,
    "tokens_sealed" TEXT,
    "auth_state_hash" TEXT,
    "code_verifier_sealed" TEXT,
    "sync_cursor" TIMESTAMPTZ(3),
    "last_sync_at" TIMESTAMPTZ(3),
    "last_sync_summary" JSONB,
    "last_error" TEXT,
    "last_error_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "accounting_connections_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "accounting_write_backs" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "connection_id" UUID NOT NULL,
    "payment_id" UUID NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "external_payment_id" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "done_at" TIMESTAMPTZ(3),

    CONSTRAINT "accounting_write_backs_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "accounting_connections_auth_state_hash_key" ON "accounting_connections"("auth_state_hash");

-- CreateIndex
CREATE INDEX "accounting_connections_tenant_id_status_idx" ON "accounting_connections"("tenant_id", "status");

-- CreateIndex
CREATE UNIQUE INDEX "accounting_write_backs_payment_id_key" ON "accounting_write_backs"("payment_id");

-- CreateIndex
CREATE INDEX "accounting_write_backs_connection_id_status_idx" ON "accounting_write_backs"("connection_id", "status");

-- CreateIndex
CREATE UNIQUE INDEX "clients_tenant_id_external_provider_external_id_key" ON "clients"("tenant_id", "external_provider", "external_id");

-- CreateIndex
CREATE UNIQUE INDEX "invoices_tenant_id_external_provider_external_id_key" ON "invoices"("tenant_id", "external_provider", "external_id");

-- AddForeignKey
ALTER TABLE "accounting_connections" ADD CONSTRAINT "accounting_connections_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "accounting_write_backs" ADD CONSTRAINT "accounting_write_backs_connection_id_fkey" FOREIGN KEY ("connection_id") REFERENCES "accounting_connections"("id") ON DELETE CASCADE ON UPDATE CASCADE;

