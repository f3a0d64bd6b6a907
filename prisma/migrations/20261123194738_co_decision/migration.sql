-- CreateTable
CREATE TABLE "idea" (
    "id" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "author_member_id" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'open',
    "merged_into" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "idea_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "idea_vote" (
    "idea_id" TEXT NOT NULL,
    "member_id" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "idea_vote_pkey" PRIMARY KEY ("idea_id","member_id")
);

-- CreateTable
CREATE TABLE "poll" (
    "id" TEXT NOT NULL,
    "question" TEXT NOT NULL,
    "options" TEXT[],
    "mode" TEXT NOT NULL,
    "tier_ids" TEXT[],
    "weights" JSONB NOT NULL DEFAULT '{}',
    "hide_results" BOOLEAN NOT NULL DEFAULT false,
    "allow_late_joiners" BOOLEAN NOT NULL DEFAULT false,
    "opens_at" TIMESTAMPTZ(3) NOT NULL,
    "closes_at" TIMESTAMPTZ(3) NOT NULL,
    "closed_at" TIMESTAMPTZ(3),
    "result" JSONB,
    "commitment" TEXT,
    "commitment_at" TIMESTAMPTZ(3),
    "idea_ids" TEXT[],
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "poll_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "poll_voter" (
    "poll_id" TEXT NOT NULL,
    "member_id" TEXT NOT NULL,
    "tier_ids" TEXT[],

    CONSTRAINT "poll_voter_pkey" PRIMARY KEY ("poll_id","member_id")
);

-- CreateTable
CREATE TABLE "poll_ballot" (
    "id" BIGSERIAL NOT NULL,
    "poll_id" TEXT NOT NULL,
    "member_id" TEXT NOT NULL,
    "platform" "Platform" NOT NULL,
    "platform_user_id" TEXT NOT NULL,
    "choices" INTEGER[],
    "weight" INTEGER NOT NULL,
    "cast_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "poll_ballot_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "poll_post" (
    "id" TEXT NOT NULL,
    "poll_id" TEXT NOT NULL,
    "platform" "Platform" NOT NULL,
    "chat_id" TEXT NOT NULL,
    "message_id" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "poll_post_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "idea_status_idx" ON "idea"("status");

-- CreateIndex
CREATE INDEX "poll_closes_at_idx" ON "poll"("closes_at");

-- CreateIndex
CREATE INDEX "poll_ballot_poll_id_member_id_idx" ON "poll_ballot"("poll_id", "member_id");

-- CreateIndex
CREATE INDEX "poll_post_poll_id_idx" ON "poll_post"("poll_id");

-- CreateIndex
CREATE UNIQUE INDEX "poll_post_platform_chat_id_message_id_key" ON "poll_post"("platform", "chat_id", "message_id");

-- AddForeignKey
ALTER TABLE "idea_vote" ADD CONSTRAINT "idea_vote_idea_id_fkey" FOREIGN KEY ("idea_id") REFERENCES "idea"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "poll_voter" ADD CONSTRAINT "poll_voter_poll_id_fkey" FOREIGN KEY ("poll_id") REFERENCES "poll"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "poll_ballot" ADD CONSTRAINT "poll_ballot_poll_id_fkey" FOREIGN KEY ("poll_id") REFERENCES "poll"("id") ON DELETE CASCADE ON UPDATE CASCADE;
