-- CreateTable
CREATE TABLE "feed_item" (
    "id" BIGSERIAL NOT NULL,
    "kind" TEXT NOT NULL,
    "params" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "batched_at" TIMESTAMPTZ(3),

    CONSTRAINT "feed_item_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "leadership" (
    "id" INTEGER NOT NULL,
    "holder" TEXT NOT NULL,
    "acquired_at" TIMESTAMPTZ(3) NOT NULL,
    "released_at" TIMESTAMPTZ(3),

    CONSTRAINT "leadership_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "feed_item_batched_at_id_idx" ON "feed_item"("batched_at", "id");

-- CreateIndex
CREATE INDEX "feed_item_kind_created_at_idx" ON "feed_item"("kind", "created_at");
