
-- CreateEnum
CREATE TYPE "Tier" AS ENUM ('starter', 'growth', 'pro');

-- CreateEnum
CREATE TYPE "ClientKind" AS ENUM ('business', 'consumer');

-- CreateEnum
CREATE TYPE "UkNation" AS ENUM ('england_wales', 'scotland', 'northern_ireland');

-- CreateEnum
CREATE TYPE "InvoiceStatus" AS ENUM ('open', 'overdue', 'part_paid', 'paid', 'disputed', 'cancelled', 'written_off');

-- CreateEnum
CREATE TYPE "Channel" AS ENUM ('email', 'sms', 'ai_call', 'ivr_call', 'letter');

-- CreateEnum
CREATE TYPE "ContactStatus" AS ENUM ('queued', 'sent', 'delivered', 'opened', 'clicked', 'replied', 'bounced', 'failed', 'answered', 'no_answer', 'busy', 'abandoned', 'machine', 'completed', 'blocked');

-- CreateEnum
CREATE TYPE "CallKind" AS ENUM ('ai', 'ivr');

-- CreateEnum
CREATE TYPE "PaymentPlanStatus" AS ENUM ('proposed', 'active', 'completed', 'defaulted', 'cancelled');

-- CreateEnum
CREATE TYPE "InstallmentStatus" AS ENUM ('due', 'paid', 'missed');

-- CreateTable
CREATE TABLE "tenants" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "email" TEXT,
    "tier" "Tier" NOT NULL DEFAULT 'starter',
    "limit_overrides" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "tenants_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_keys" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "prefix" TEXT NOT NULL,
    "key_hash" TEXT NOT NULL,
    "role" TEXT NOT NULL DEFAULT 'member',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revoked_at" TIMESTAMPTZ(3),
    "last_used_at" TIMESTAMPTZ(3),

    CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "clients" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "email" TEXT,
    "phone" TEXT,
    "kind" "ClientKind" NOT NULL,
    "nation" "UkNation" NOT NULL DEFAULT 'england_wales',
    "timezone" TEXT NOT NULL DEFAULT 'Europe/London',
    "address" JSONB,
    "industry_code" TEXT,
    "payment_method_on_file" BOOLEAN NOT NULL DEFAULT false,
    "dispute_opened_at" TIMESTAMPTZ(3),
    "dispute_resolved_at" TIMESTAMPTZ(3),
    "stopped_channels" "Channel"[] DEFAULT ARRAY[]::"Channel"[],
    "preferred_channel" "Channel",
    "preferred_times" JSONB,
    "breathing_space_start" TIMESTAMPTZ(3),
    "breathing_space_end" TIMESTAMPTZ(3),
    "vulnerable" BOOLEAN NOT NULL DEFAULT false,
    "vulnerability_note" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "clients_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "invoices" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "client_id" UUID NOT NULL,
    "reference" TEXT NOT NULL,
    "amount_pence" INTEGER NOT NULL,
    "paid_pence" INTEGER NOT NULL DEFAULT 0,
    "currency" CHAR(3) NOT NULL DEFAULT 'GBP',
    "issue_date" DATE NOT NULL,
    "due_date" DATE NOT NULL,
    "status" "InvoiceStatus" NOT NULL DEFAULT 'open',
    "collection_stage" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "invoices_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "payments" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "invoice_id" UUID NOT NULL,
    "amount_pence" INTEGER NOT NULL,
    "method" TEXT NOT NULL,
    "external_id" TEXT,
    "received_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "payments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "contact_attempts" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "client_id" UUID NOT NULL,
    "invoice_id" UUID,
    "channel" "Channel" NOT NULL,
    "purpose" TEXT NOT NULL,
    "template_id" TEXT,
    "status" "ContactStatus" NOT NULL DEFAULT 'queued',
    "job_id" TEXT,
    "provider" TEXT,
    "provider_message_id" TEXT,
    "cost_pence" INTEGER NOT NULL DEFAULT 0,
    "detail" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sent_at" TIMESTAMPTZ(3),
    "completed_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "contact_attempts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "calls" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "client_id" UUID NOT NULL,
    "invoice_id" UUID,
    "contact_attempt_id" UUID,
    "kind" "CallKind" NOT NULL,
    "provider_call_sid" TEXT,
    "status" TEXT NOT NULL DEFAULT 'initiated',
    "answered_by" TEXT,
    "outcome" TEXT,
    "transcript" JSONB,
    "started_at" TIMESTAMPTZ(3),
    "ended_at" TIMESTAMPTZ(3),
    "duration_seconds" INTEGER,
    "cost_pence" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "calls_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "payment_plans" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "invoice_id" UUID NOT NULL,
    "status" "PaymentPlanStatus" NOT NULL DEFAULT 'proposed',
    "total_pence" INTEGER NOT NULL,
    "installment_count" INTEGER NOT NULL,
    "frequency" TEXT NOT NULL,
    "first_payment_date" DATE NOT NULL,
    "source" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "payment_plans_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "payment_plan_installments" (
    "id" UUID NOT NULL,
    "payment_plan_id" UUID NOT NULL,
    "sequence" INTEGER NOT NULL,
    "due_date" DATE NOT NULL,
    "amount_pence" INTEGER NOT NULL,
    "status" "InstallmentStatus" NOT NULL DEFAULT 'due',
    "paid_at" TIMESTAMPTZ(3),

    CONSTRAINT "payment_plan_installments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webhook_events" (
    "id" UUID NOT NULL,
    "provider" TEXT NOT NULL,
    "event_id" TEXT NOT NULL,
    "event_type" TEXT,
    "status" TEXT NOT NULL DEFAULT 'received',
    "payload" JSONB,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "processed_at" TIMESTAMPTZ(3),

    CONSTRAINT "webhook_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "compliance_audit" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "client_id" UUID NOT NULL,
    "invoice_id" UUID,
    "channel" "Channel" NOT NULL,
    "purpose" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "allowed" BOOLEAN NOT NULL,
    "reasons" JSONB NOT NULL,
    "next_allowed_at" TIMESTAMPTZ(3),
    "rule_set_version" TEXT NOT NULL,
    "evaluated_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "compliance_audit_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "api_keys_key_hash_key" ON "api_keys"("key_hash");

-- CreateIndex
CREATE INDEX "api_keys_tenant_id_idx" ON "api_keys"("tenant_id");

-- CreateIndex
CREATE INDEX "clients_tenant_id_idx" ON "clients"("tenant_id");

-- CreateIndex
CREATE INDEX "invoices_tenant_id_status_due_date_idx" ON "invoices"("tenant_id", "status", "due_date");

-- CreateIndex
CREATE INDEX "invoices_client_id_idx" ON "invoices"("client_id");

-- CreateIndex
CREATE UNIQUE INDEX "invoices_tenant_id_reference_key" ON "invoices"("tenant_id", "reference");

-- CreateIndex
CREATE UNIQUE INDEX "payments_external_id_key" ON "payments"("external_id");

-- CreateIndex
CREATE INDEX "payments_invoice_id_idx" ON "payments"("invoice_id");

-- CreateIndex
CREATE UNIQUE INDEX "contact_attempts_job_id_key" ON "contact_attempts"("job_id");

-- CreateIndex
CREATE INDEX "contact_attempts_tenant_id_client_id_created_at_idx" ON "contact_attempts"("tenant_id", "client_id", "created_at");

-- CreateIndex
CREATE INDEX "contact_attempts_provider_provider_message_id_idx" ON "contact_attempts"("provider", "provider_message_id");

-- CreateIndex
CREATE UNIQUE INDEX "calls_contact_attempt_id_key" ON "calls"("contact_attempt_id");

-- CreateIndex
CREATE UNIQUE INDEX "calls_provider_call_sid_key" ON "calls"("provider_call_sid");

-- CreateIndex
CREATE INDEX "calls_tenant_id_created_at_idx" ON "calls"("tenant_id", "created_at");

-- CreateIndex
CREATE INDEX "payment_plans_tenant_id_invoice_id_idx" ON "payment_plans"("tenant_id", "invoice_id");

-- CreateIndex
CREATE UNIQUE INDEX "payment_plan_installments_payment_plan_id_sequence_key" ON "payment_plan_installments"("payment_plan_id", "sequence");

-- CreateIndex
CREATE UNIQUE INDEX "webhook_events_provider_event_id_key" ON "webhook_events"("provider", "event_id");

-- CreateIndex
CREATE INDEX "compliance_audit_tenant_id_client_id_evaluated_at_idx" ON "compliance_audit"("tenant_id", "client_id", "evaluated_at");

-- AddForeignKey
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "clients" ADD CONSTRAINT "clients_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "invoices" ADD CONSTRAINT "invoices_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "invoices" ADD CONSTRAINT "invoices_client_id_fkey" FOREIGN KEY ("client_id") REFERENCES "clients"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "payments" ADD CONSTRAINT "payments_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "payments" ADD CONSTRAINT "payments_invoice_id_fkey" FOREIGN KEY ("invoice_id") REFERENCES "invoices"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "contact_attempts" ADD CONSTRAINT "contact_attempts_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "contact_attempts" ADD CONSTRAINT "contact_attempts_client_id_fkey" FOREIGN KEY ("client_id") REFERENCES "clients"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "contact_attempts" ADD CONSTRAINT "contact_attempts_invoice_id_fkey" FOREIGN KEY ("invoice_id") REFERENCES "invoices"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "calls" ADD CONSTRAINT "calls_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "calls" ADD CONSTRAINT "calls_client_id_fkey" FOREIGN KEY ("client_id") REFERENCES "clients"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "calls" ADD CONSTRAINT "calls_invoice_id_fkey" FOREIGN KEY ("invoice_id") REFERENCES "invoices"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "calls" ADD CONSTRAINT "calls_contact_attempt_id_fkey" FOREIGN KEY ("contact_attempt_id") REFERENCES "contact_attempts"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "payment_plans" ADD CONSTRAINT "payment_plans_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "payment_plans" ADD CONSTRAINT "payment_plans_invoice_id_fkey" FOREIGN KEY ("invoice_id") REFERENCES "invoices"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "payment_plan_installments" ADD CONSTRAINT "payment_plan_installments_payment_plan_id_fkey" FOREIGN KEY ("payment_plan_id") REFERENCES "payment_plans"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "compliance_audit" ADD CONSTRAINT "compliance_audit_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "compliance_audit" ADD CONSTRAINT "compliance_audit_client_id_fkey" FOREIGN KEY ("client_id") REFERENCES "clients"("id") ON DELETE CASCADE ON UPDATE CASCADE;

