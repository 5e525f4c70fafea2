-- AlterTable
ALTER TABLE "tenants" ADD COLUMN     "reminder_grouping" TEXT NOT NULL DEFAULT 'per_debtor';

-- AlterTable
ALTER TABLE "contact_attempts" ADD COLUMN     "statement_job_id" TEXT;

-- AlterTable
ALTER TABLE "payment_links" ADD COLUMN     "allocations" JSONB;

-- CreateIndex
CREATE INDEX "contact_attempts_statement_job_id_idx" ON "contact_attempts"("statement_job_id");

