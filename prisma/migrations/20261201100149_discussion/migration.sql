-- CreateTable
CREATE TABLE "discussion" (
    "subject_kind" TEXT NOT NULL,
    "subject_id" TEXT NOT NULL,
    "platform" "Platform" NOT NULL,
    "chat_id" TEXT NOT NULL,
    "thread_id" TEXT NOT NULL,
    "guild_id" TEXT,
    "username" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "discussion_pkey" PRIMARY KEY ("subject_kind","subject_id","platform","chat_id")
);
