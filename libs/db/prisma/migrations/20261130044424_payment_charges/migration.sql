-- AlterTable
ALTER TABLE "payments" ADD COLUMN     "charges_pence" INTEGER NOT NULL DEFAULT 0;

