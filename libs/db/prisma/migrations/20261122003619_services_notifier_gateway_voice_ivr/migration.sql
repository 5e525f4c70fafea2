-- AlterEnum
ALTER TYPE "ContactStatus" ADD VALUE 'cancelled';

-- AlterTable
ALTER TABLE "tenants" ADD COLUMN     "collection_policy" JSONB;

-- AlterTable
ALTER TABLE "invoices" ADD COLUMN     "cancelled_at" TIMESTAMPTZ(3),
ADD COLUMN     "description" TEXT,
ADD COLUMN     "last_action_at" TIMESTAMPTZ(3),
ADD COLUMN     "next_action_at" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "payments" ADD COLUMN     "installment_id" UUID,
ADD COLUMN     "refunded_pence" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "status" TEXT NOT NULL DEFAULT 'succeeded';

-- AlterTable
ALTER TABLE "contact_attempts" ADD COLUMN     "clicked_at" TIMESTAMPTZ(3),
ADD COLUMN     "delivered_at" TIMESTAMPTZ(3),
ADD COLUMN     "failure_reason" TEXT,
ADD COLUMN     "opened_at" TIMESTAMPTZ(3),
ADD COLUMN     "replied_at" TIMESTAMPTZ(3),
ADD COLUMN     "scheduled_for" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "calls" ADD COLUMN     "params" JSONB,
ADD COLUMN     "payment_collected" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "recording_sid" TEXT,
ADD COLUMN     "recording_url" TEXT,
ADD COLUMN     "stream_token_hash" TEXT;

-- CreateTable
CREATE TABLE "call_turns" (
    "id" UUID NOT NULL,
    "call_id" UUID NOT NULL,
    "sequence" INTEGER NOT NULL,
    "speaker" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "item_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "call_turns_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "call_actions" (
    "id" UUID NOT NULL,
    "call_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "tool_call_id" TEXT,
    "arguments" JSONB NOT NULL,
    "allowed" BOOLEAN NOT NULL,
    "result" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "call_actions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "payment_promises" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "client_id" UUID NOT NULL,
    "invoice_id" UUID,
    "amount_pence" INTEGER NOT NULL,
    "promised_for" DATE NOT NULL,
    "source" TEXT NOT NULL,
    "source_id" TEXT,
    "status" TEXT NOT NULL DEFAULT 'open',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "payment_promises_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "payment_links" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "invoice_id" UUID NOT NULL,
    "installment_id" UUID,
    "provider" TEXT NOT NULL,
    "external_id" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "amount_pence" INTEGER NOT NULL,
    "currency" CHAR(3) NOT NULL DEFAULT 'GBP',
    "status" TEXT NOT NULL DEFAULT 'open',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "paid_at" TIMESTAMPTZ(3),

    CONSTRAINT "payment_links_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "contact_events" (
    "id" UUID NOT NULL,
    "contact_attempt_id" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "payload" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "contact_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "inbound_messages" (
    "id" UUID NOT NULL,
    "tenant_id" UUID,
    "client_id" UUID,
    "channel" "Channel" NOT NULL,
    "provider" TEXT NOT NULL,
    "provider_message_id" TEXT NOT NULL,
    "from_address" TEXT NOT NULL,
    "to_address" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "intent" TEXT NOT NULL,
    "action" JSONB,
    "received_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "inbound_messages_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sandbox_messages" (
    "id" UUID NOT NULL,
    "channel" "Channel" NOT NULL,
    "provider" TEXT NOT NULL,
    "idempotency_key" TEXT NOT NULL,
    "provider_message_id" TEXT NOT NULL,
    "to_address" TEXT NOT NULL,
    "from_address" TEXT,
    "subject" TEXT,
    "body" TEXT NOT NULL,
    "document" BYTEA,
    "metadata" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sandbox_messages_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ivr_calls" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "client_id" UUID,
    "invoice_id" UUID,
    "call_sid" TEXT,
    "campaign_id" TEXT,
    "caller_phone" TEXT NOT NULL,
    "customer_name" TEXT,
    "account_data" JSONB NOT NULL,
    "transcript" JSONB NOT NULL DEFAULT '[]',
    "intent" TEXT,
    "payment_plan" JSONB,
    "reply_text" TEXT,
    "confidence" INTEGER,
    "status" TEXT NOT NULL DEFAULT 'initiated',
    "confirmation_response" TEXT,
    "retry_count" INTEGER NOT NULL DEFAULT 0,
    "classifier" TEXT,
    "negotiation" JSONB,
    "agreed_monthly_pence" INTEGER,
    "agreed_months" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "ivr_calls_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "call_turns_call_id_item_id_idx" ON "call_turns"("call_id", "item_id");

-- CreateIndex
CREATE UNIQUE INDEX "call_turns_call_id_sequence_key" ON "call_turns"("call_id", "sequence");

-- CreateIndex
CREATE UNIQUE INDEX "call_actions_call_id_tool_call_id_key" ON "call_actions"("call_id", "tool_call_id");

-- CreateIndex
CREATE INDEX "payment_promises_tenant_id_invoice_id_idx" ON "payment_promises"("tenant_id", "invoice_id");

-- CreateIndex
CREATE UNIQUE INDEX "payment_links_external_id_key" ON "payment_links"("external_id");

-- CreateIndex
CREATE INDEX "payment_links_tenant_id_invoice_id_idx" ON "payment_links"("tenant_id", "invoice_id");

-- CreateIndex
CREATE INDEX "contact_events_contact_attempt_id_occurred_at_idx" ON "contact_events"("contact_attempt_id", "occurred_at");

-- CreateIndex
CREATE INDEX "inbound_messages_client_id_received_at_idx" ON "inbound_messages"("client_id", "received_at");

-- CreateIndex
CREATE UNIQUE INDEX "inbound_messages_provider_provider_message_id_key" ON "inbound_messages"("provider", "provider_message_id");

-- CreateIndex
CREATE UNIQUE INDEX "sandbox_messages_idempotency_key_key" ON "sandbox_messages"("idempotency_key");

-- CreateIndex
CREATE UNIQUE INDEX "sandbox_messages_provider_message_id_key" ON "sandbox_messages"("provider_message_id");

-- CreateIndex
CREATE INDEX "sandbox_messages_channel_created_at_idx" ON "sandbox_messages"("channel", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "ivr_calls_call_sid_key" ON "ivr_calls"("call_sid");

-- CreateIndex
CREATE INDEX "ivr_calls_tenant_id_created_at_idx" ON "ivr_calls"("tenant_id", "created_at");

-- CreateIndex
CREATE INDEX "ivr_calls_tenant_id_status_idx" ON "ivr_calls"("tenant_id", "status");

-- CreateIndex
CREATE INDEX "contact_attempts_invoice_id_status_idx" ON "contact_attempts"("invoice_id", "status");

-- AddForeignKey
ALTER TABLE "call_turns" ADD CONSTRAINT "call_turns_call_id_fkey" FOREIGN KEY ("call_id") REFERENCES "calls"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "call_actions" ADD CONSTRAINT "call_actions_call_id_fkey" FOREIGN KEY ("call_id") REFERENCES "calls"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "payment_promises" ADD CONSTRAINT "payment_promises_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "payment_promises" ADD CONSTRAINT "payment_promises_client_id_fkey" FOREIGN KEY ("client_id") REFERENCES "clients"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "payment_promises" ADD CONSTRAINT "payment_promises_invoice_id_fkey" FOREIGN KEY ("invoice_id") REFERENCES "invoices"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "payment_links" ADD CONSTRAINT "payment_links_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "payment_links" ADD CONSTRAINT "payment_links_invoice_id_fkey" FOREIGN KEY ("invoice_id") REFERENCES "invoices"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "contact_events" ADD CONSTRAINT "contact_events_contact_attempt_id_fkey" FOREIGN KEY ("contact_attempt_id") REFERENCES "contact_attempts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "inbound_messages" ADD CONSTRAINT "inbound_messages_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "inbound_messages" ADD CONSTRAINT "inbound_messages_client_id_fkey" FOREIGN KEY ("client_id") REFERENCES "clients"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ivr_calls" ADD CONSTRAINT "ivr_calls_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ivr_calls" ADD CONSTRAINT "ivr_calls_client_id_fkey" FOREIGN KEY ("client_id") REFERENCES "clients"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ivr_calls" ADD CONSTRAINT "ivr_calls_invoice_id_fkey" FOREIGN KEY ("invoice_id") REFERENCES "invoices"("id") ON DELETE SET NULL ON UPDATE CASCADE;

