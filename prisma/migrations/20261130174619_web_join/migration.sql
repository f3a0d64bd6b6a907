-- CreateTable
CREATE TABLE "web_session" (
    "id" TEXT NOT NULL,
    "member_id" TEXT,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "web_session_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "web_sign_in" (
    "id" TEXT NOT NULL,
    "session_id" TEXT NOT NULL,
    "tier_id" TEXT NOT NULL,
    "locale" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "used_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "web_sign_in_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "discord_join_token" (
    "user_id" TEXT NOT NULL,
    "sealed" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "discord_join_token_pkey" PRIMARY KEY ("user_id")
);

-- CreateIndex
CREATE INDEX "web_session_expires_at_idx" ON "web_session"("expires_at");

-- CreateIndex
CREATE INDEX "web_sign_in_session_id_idx" ON "web_sign_in"("session_id");

-- CreateIndex
CREATE INDEX "web_sign_in_expires_at_idx" ON "web_sign_in"("expires_at");

-- CreateIndex
CREATE INDEX "discord_join_token_expires_at_idx" ON "discord_join_token"("expires_at");

-- AddForeignKey
ALTER TABLE "web_sign_in" ADD CONSTRAINT "web_sign_in_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "web_session"("id") ON DELETE CASCADE ON UPDATE CASCADE;
