-- AlterTable
ALTER TABLE "idea" ADD COLUMN     "vote_count" INTEGER NOT NULL DEFAULT 0;

-- Ideas upvoted before this migration keep their count.
UPDATE "idea" SET "vote_count" = (SELECT count(*) FROM "idea_vote" WHERE "idea_vote"."idea_id" = "idea"."id");

-- CreateTable
CREATE TABLE "rate_bucket" (
    "account" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "tokens" DOUBLE PRECISION NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "rate_bucket_pkey" PRIMARY KEY ("account","action")
);

-- CreateTable
CREATE TABLE "checkout_session" (
    "id" TEXT NOT NULL,
    "member_id" TEXT NOT NULL,
    "customer_id" TEXT NOT NULL,
    "client_reference_id" TEXT NOT NULL,
    "stripe_price_id" TEXT NOT NULL,
    "terms" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "completed_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "checkout_session_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "checkout_session_member_id_stripe_price_id_idx" ON "checkout_session"("member_id", "stripe_price_id");

-- CreateIndex
CREATE INDEX "idea_status_vote_count_created_at_idx" ON "idea"("status", "vote_count" DESC, "created_at");

-- CreateIndex
CREATE INDEX "poll_created_at_idx" ON "poll"("created_at" DESC);
