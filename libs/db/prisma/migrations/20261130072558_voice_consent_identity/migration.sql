-- AlterTable
ALTER TABLE "tenants" ADD COLUMN     "identity_check" TEXT NOT NULL DEFAULT 'postcode',
ADD COLUMN     "transfer_phone" TEXT;

-- AlterTable
ALTER TABLE "clients" ADD COLUMN     "date_of_birth" DATE,
ADD COLUMN     "postcode" TEXT;

-- AlterTable
ALTER TABLE "calls" ADD COLUMN     "identity_attempts" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "identity_verified_at" TIMESTAMPTZ(3),
ADD COLUMN     "realtime_usage" JSONB,
ADD COLUMN     "recording_consent" TEXT,
ADD COLUMN     "transferred_at" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "ivr_calls" ADD COLUMN     "answered_by" TEXT,
ADD COLUMN     "identity_verified_at" TIMESTAMPTZ(3),
ADD COLUMN     "recording_sid" TEXT;

