-- AlterEnum (a rename keeps every stored part-paid invoice)
ALTER TYPE "InvoiceStatus" RENAME VALUE 'part_paid' TO 'partially_paid';

-- AlterEnum
ALTER TYPE "ContactStatus" ADD VALUE 'sending' AFTER 'queued';

-- AlterTable
ALTER TABLE "tenants" ADD COLUMN     "claims_late_payment_charges" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "clients" ADD COLUMN     "breathing_space_reference" TEXT;

-- AlterTable
ALTER TABLE "payments" ADD COLUMN     "currency" CHAR(3) NOT NULL DEFAULT 'GBP';

-- CreateTable
CREATE TABLE "invoice_events" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "invoice_id" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "from_status" "InvoiceStatus",
    "to_status" "InvoiceStatus",
    "detail" JSONB,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "invoice_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "disputes" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "invoice_id" UUID NOT NULL,
    "client_id" UUID NOT NULL,
    "reference" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "reason" TEXT,
    "opened_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "resolved_at" TIMESTAMPTZ(3),
    "resolution" TEXT,

    CONSTRAINT "disputes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "debtor_link_tokens" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "invoice_id" UUID NOT NULL,
    "token_hash" TEXT NOT NULL,
    "contact_attempt_id" UUID,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "revoked_at" TIMESTAMPTZ(3),
    "last_used_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "debtor_link_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "invoice_events_invoice_id_occurred_at_idx" ON "invoice_events"("invoice_id", "occurred_at");

-- CreateIndex
CREATE UNIQUE INDEX "disputes_reference_key" ON "disputes"("reference");

-- CreateIndex
CREATE INDEX "disputes_invoice_id_resolved_at_idx" ON "disputes"("invoice_id", "resolved_at");

-- CreateIndex
CREATE UNIQUE INDEX "debtor_link_tokens_token_hash_key" ON "debtor_link_tokens"("token_hash");

-- CreateIndex
CREATE INDEX "debtor_link_tokens_invoice_id_idx" ON "debtor_link_tokens"("invoice_id");

-- CreateIndex
CREATE UNIQUE INDEX "clients_breathing_space_reference_key" ON "clients"("breathing_space_reference");

-- AddForeignKey
ALTER TABLE "invoice_events" ADD CONSTRAINT "invoice_events_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "invoice_events" ADD CONSTRAINT "invoice_events_invoice_id_fkey" FOREIGN KEY ("invoice_id") REFERENCES "invoices"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "disputes" ADD CONSTRAINT "disputes_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "disputes" ADD CONSTRAINT "disputes_invoice_id_fkey" FOREIGN KEY ("invoice_id") REFERENCES "invoices"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "debtor_link_tokens" ADD CONSTRAINT "debtor_link_tokens_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "debtor_link_tokens" ADD CONSTRAINT "debtor_link_tokens_invoice_id_fkey" FOREIGN KEY ("invoice_id") REFERENCES "invoices"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Invoices disputed before disputes had rows of their own get one (a random reference, source unknown so creditor).
INSERT INTO "disputes" ("id", "tenant_id", "invoice_id", "client_id", "reference", "source", "opened_at")
SELECT gen_random_uuid(), "tenant_id", "id", "client_id",
       'DSP-' || upper(substr(replace(gen_random_uuid()::text, '-', ''), 1, 16)), 'creditor', "updated_at"
FROM "invoices" WHERE "status" = 'disputed';

-- Payments recorded before they carried a currency were in their invoice's currency.
UPDATE "payments" p SET "currency" = i."currency" FROM "invoices" i WHERE i."id" = p."invoice_id";
