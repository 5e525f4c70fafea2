-- AlterTable
ALTER TABLE "tenants" ADD COLUMN     "compliance_overrides" JSONB;

