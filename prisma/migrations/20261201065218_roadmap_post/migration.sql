-- CreateTable
CREATE TABLE "roadmap_post" (
    "platform" "Platform" NOT NULL,
    "chat_id" TEXT NOT NULL,
    "message_id" TEXT NOT NULL,
    "text_hash" TEXT NOT NULL,
    "pinned" BOOLEAN NOT NULL DEFAULT false,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "roadmap_post_pkey" PRIMARY KEY ("platform","chat_id")
);
