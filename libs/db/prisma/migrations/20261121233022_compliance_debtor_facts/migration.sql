-- CreateEnum
CREATE TYPE "Jurisdiction" AS ENUM ('uk', 'us');

-- AlterTable
ALTER TABLE "clients" ADD COLUMN     "artificial_voice_consent_at" TIMESTAMPTZ(3),
ADD COLUMN     "debt_adviser" JSONB,
ADD COLUMN     "jurisdiction" "Jurisdiction" NOT NULL DEFAULT 'uk',
ADD COLUMN     "mental_capacity_concern" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "compliance_audit" ADD COLUMN     "context" JSONB;

