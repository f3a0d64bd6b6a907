-- CreateTable
CREATE TABLE "link_attempt" (
    "platform" "Platform" NOT NULL,
    "platform_user_id" TEXT NOT NULL,
    "window_start" TIMESTAMPTZ(3) NOT NULL,
    "attempts" INTEGER NOT NULL,

    CONSTRAINT "link_attempt_pkey" PRIMARY KEY ("platform","platform_user_id")
);
