-- CreateTable
CREATE TABLE "prediction_models" (
    "version" TEXT NOT NULL,
    "trained_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "source" TEXT NOT NULL,
    "size_bytes" INTEGER NOT NULL,
    "bytes" BYTEA NOT NULL,

    CONSTRAINT "prediction_models_pkey" PRIMARY KEY ("version")
);

-- CreateIndex
CREATE INDEX "prediction_models_created_at_idx" ON "prediction_models"("created_at");

