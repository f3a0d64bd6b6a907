-- CreateTable
CREATE TABLE "telegram_invite" (
    "invite_link" TEXT NOT NULL,
    "chat_id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "telegram_invite_pkey" PRIMARY KEY ("invite_link")
);

-- CreateIndex
CREATE INDEX "telegram_invite_chat_id_user_id_idx" ON "telegram_invite"("chat_id", "user_id");
