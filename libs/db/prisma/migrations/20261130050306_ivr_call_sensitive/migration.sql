-- AlterTable
ALTER TABLE "ivr_calls" ADD COLUMN     "sensitive" BOOLEAN NOT NULL DEFAULT false;

