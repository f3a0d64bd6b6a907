-- CreateTable
CREATE TABLE "telegram_update" (
    "bot_id" BIGINT NOT NULL,
    "update_id" BIGINT NOT NULL,
    "payload" JSONB NOT NULL,
    "owner" TEXT NOT NULL,
    "handled" BOOLEAN NOT NULL DEFAULT false,
    "received_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "telegram_update_pkey" PRIMARY KEY ("bot_id","update_id")
);

-- CreateIndex
CREATE INDEX "telegram_update_bot_id_handled_idx" ON "telegram_update"("bot_id", "handled");
