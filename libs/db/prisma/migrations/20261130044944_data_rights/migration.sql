-- AlterTable
ALTER TABLE "tenants" ADD COLUMN     "retention_policy" JSONB;

-- AlterTable
ALTER TABLE "clients" ADD COLUMN     "erased_at" TIMESTAMPTZ(3),
ADD COLUMN     "erasure_reason" TEXT;

-- AlterTable
ALTER TABLE "calls" ADD COLUMN     "recording_deleted_at" TIMESTAMPTZ(3),
ADD COLUMN     "sensitive" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "transcript_deleted_at" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "data_rights_requests" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "client_id" UUID,
    "kind" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "reason" TEXT,
    "detail" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "data_rights_requests_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "stored_recordings" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "call_id" UUID NOT NULL,
    "recording_sid" TEXT NOT NULL,
    "content_type" TEXT NOT NULL,
    "key_id" TEXT NOT NULL,
    "iv" BYTEA NOT NULL,
    "auth_tag" BYTEA NOT NULL,
    "ciphertext" BYTEA NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "stored_recordings_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "data_rights_requests_tenant_id_created_at_idx" ON "data_rights_requests"("tenant_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "stored_recordings_recording_sid_key" ON "stored_recordings"("recording_sid");

-- CreateIndex
CREATE INDEX "stored_recordings_call_id_idx" ON "stored_recordings"("call_id");

-- AddForeignKey
ALTER TABLE "data_rights_requests" ADD CONSTRAINT "data_rights_requests_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "data_rights_requests" ADD CONSTRAINT "data_rights_requests_client_id_fkey" FOREIGN KEY ("client_id") REFERENCES "clients"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "stored_recordings" ADD CONSTRAINT "stored_recordings_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "stored_recordings" ADD CONSTRAINT "stored_recordings_call_id_fkey" FOREIGN KEY ("call_id") REFERENCES "calls"("id") ON DELETE CASCADE ON UPDATE CASCADE;

