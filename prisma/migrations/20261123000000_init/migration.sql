-- CreateEnum
CREATE TYPE "Platform" AS ENUM ('discord', 'telegram');

-- CreateEnum
CREATE TYPE "PriceKind" AS ENUM ('recurring', 'lifetime');

-- CreateEnum
CREATE TYPE "AccessAction" AS ENUM ('grant', 'revoke');

-- CreateEnum
CREATE TYPE "JobState" AS ENUM ('pending', 'running', 'done', 'dead');

-- CreateTable
CREATE TABLE "setting" (
    "key" TEXT NOT NULL,
    "value" JSONB NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "setting_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "tier" (
    "id" TEXT NOT NULL,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "stripe_product_id" TEXT,
    "archived_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "tier_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "tier_price" (
    "stripe_price_id" TEXT NOT NULL,
    "tier_id" TEXT NOT NULL,
    "kind" "PriceKind" NOT NULL,
    "amount" INTEGER NOT NULL,
    "currency" TEXT NOT NULL,
    "interval" TEXT,
    "trial_days" INTEGER NOT NULL DEFAULT 0,
    "current" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "tier_price_pkey" PRIMARY KEY ("stripe_price_id")
);

-- CreateTable
CREATE TABLE "tier_access" (
    "id" TEXT NOT NULL,
    "tier_id" TEXT NOT NULL,
    "platform" "Platform" NOT NULL,
    "target_key" TEXT NOT NULL,
    "guild_id" TEXT,
    "role_id" TEXT,
    "chat_id" TEXT,
    "label" TEXT NOT NULL DEFAULT '',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "tier_access_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "member" (
    "id" TEXT NOT NULL,
    "stripe_customer_id" TEXT,
    "deleted_at" TIMESTAMPTZ(3),
    "suspended_at" TIMESTAMPTZ(3),
    "suspended_reason" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "member_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "identity" (
    "platform" "Platform" NOT NULL,
    "platform_user_id" TEXT NOT NULL,
    "member_id" TEXT NOT NULL,
    "username" TEXT,
    "locale" TEXT,
    "linked_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "identity_pkey" PRIMARY KEY ("platform","platform_user_id")
);

-- CreateTable
CREATE TABLE "link_code" (
    "code" TEXT NOT NULL,
    "member_id" TEXT NOT NULL,
    "from_platform" "Platform" NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "used_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "link_code_pkey" PRIMARY KEY ("code")
);

-- CreateTable
CREATE TABLE "chat_bind_code" (
    "code" TEXT NOT NULL,
    "tier_id" TEXT NOT NULL,
    "created_by" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "used_at" TIMESTAMPTZ(3),
    "used_for" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "chat_bind_code_pkey" PRIMARY KEY ("code")
);

-- CreateTable
CREATE TABLE "subscription" (
    "id" TEXT NOT NULL,
    "member_id" TEXT NOT NULL,
    "tier_id" TEXT,
    "stripe_price_id" TEXT NOT NULL,
    "kind" "PriceKind" NOT NULL,
    "status" TEXT NOT NULL,
    "current_period_end" TIMESTAMPTZ(3),
    "cancel_at_period_end" BOOLEAN NOT NULL DEFAULT false,
    "past_due_since" TIMESTAMPTZ(3),
    "payment_intent_id" TEXT,
    "amount" INTEGER NOT NULL DEFAULT 0,
    "currency" TEXT NOT NULL DEFAULT 'usd',
    "interval" TEXT,
    "synced_at" TIMESTAMPTZ(3) NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "ended_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "subscription_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "payment_hold" (
    "id" TEXT NOT NULL,
    "subscription_id" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "charge_id" TEXT NOT NULL,
    "lifted_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "payment_hold_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "stripe_event" (
    "id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "created" TIMESTAMPTZ(3) NOT NULL,
    "object_id" TEXT,
    "outcome" TEXT NOT NULL DEFAULT '',
    "processed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "stripe_event_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "member_history" (
    "id" BIGSERIAL NOT NULL,
    "member_id" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "subscription_id" TEXT,
    "from_state" TEXT,
    "to_state" TEXT,
    "reason" TEXT NOT NULL,
    "stripe_event_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "member_history_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "access_job" (
    "id" BIGSERIAL NOT NULL,
    "platform" "Platform" NOT NULL,
    "platform_user_id" TEXT NOT NULL,
    "target_key" TEXT NOT NULL,
    "member_id" TEXT,
    "action" "AccessAction" NOT NULL,
    "reason" TEXT NOT NULL,
    "stripe_event_id" TEXT,
    "state" "JobState" NOT NULL DEFAULT 'pending',
    "version" INTEGER NOT NULL DEFAULT 1,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "run_after" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lease_owner" TEXT,
    "lease_until" TIMESTAMPTZ(3),
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "access_job_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "task" (
    "id" BIGSERIAL NOT NULL,
    "key" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "state" "JobState" NOT NULL DEFAULT 'pending',
    "version" INTEGER NOT NULL DEFAULT 1,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "run_after" TIMESTAMPTZ(3) NOT NULL,
    "lease_owner" TEXT,
    "lease_until" TIMESTAMPTZ(3),
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "task_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "tier_slug_key" ON "tier"("slug");

-- CreateIndex
CREATE UNIQUE INDEX "tier_stripe_product_id_key" ON "tier"("stripe_product_id");

-- CreateIndex
CREATE INDEX "tier_price_tier_id_idx" ON "tier_price"("tier_id");

-- CreateIndex
CREATE INDEX "tier_access_target_key_idx" ON "tier_access"("target_key");

-- CreateIndex
CREATE UNIQUE INDEX "tier_access_tier_id_target_key_key" ON "tier_access"("tier_id", "target_key");

-- CreateIndex
CREATE UNIQUE INDEX "member_stripe_customer_id_key" ON "member"("stripe_customer_id");

-- CreateIndex
CREATE UNIQUE INDEX "identity_member_id_platform_key" ON "identity"("member_id", "platform");

-- CreateIndex
CREATE INDEX "link_code_member_id_idx" ON "link_code"("member_id");

-- CreateIndex
CREATE INDEX "chat_bind_code_tier_id_idx" ON "chat_bind_code"("tier_id");

-- CreateIndex
CREATE INDEX "subscription_member_id_idx" ON "subscription"("member_id");

-- CreateIndex
CREATE INDEX "subscription_status_idx" ON "subscription"("status");

-- CreateIndex
CREATE INDEX "subscription_payment_intent_id_idx" ON "subscription"("payment_intent_id");

-- CreateIndex
CREATE INDEX "payment_hold_subscription_id_idx" ON "payment_hold"("subscription_id");

-- CreateIndex
CREATE INDEX "stripe_event_processed_at_idx" ON "stripe_event"("processed_at");

-- CreateIndex
CREATE INDEX "member_history_member_id_created_at_idx" ON "member_history"("member_id", "created_at");

-- CreateIndex
CREATE INDEX "access_job_state_run_after_idx" ON "access_job"("state", "run_after");

-- CreateIndex
CREATE INDEX "access_job_member_id_idx" ON "access_job"("member_id");

-- CreateIndex
CREATE UNIQUE INDEX "access_job_platform_platform_user_id_target_key_key" ON "access_job"("platform", "platform_user_id", "target_key");

-- CreateIndex
CREATE UNIQUE INDEX "task_key_key" ON "task"("key");

-- CreateIndex
CREATE INDEX "task_state_run_after_idx" ON "task"("state", "run_after");

-- CreateIndex
CREATE INDEX "task_kind_idx" ON "task"("kind");

-- AddForeignKey
ALTER TABLE "tier_price" ADD CONSTRAINT "tier_price_tier_id_fkey" FOREIGN KEY ("tier_id") REFERENCES "tier"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "tier_access" ADD CONSTRAINT "tier_access_tier_id_fkey" FOREIGN KEY ("tier_id") REFERENCES "tier"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "identity" ADD CONSTRAINT "identity_member_id_fkey" FOREIGN KEY ("member_id") REFERENCES "member"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "link_code" ADD CONSTRAINT "link_code_member_id_fkey" FOREIGN KEY ("member_id") REFERENCES "member"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "subscription" ADD CONSTRAINT "subscription_member_id_fkey" FOREIGN KEY ("member_id") REFERENCES "member"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "subscription" ADD CONSTRAINT "subscription_tier_id_fkey" FOREIGN KEY ("tier_id") REFERENCES "tier"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "payment_hold" ADD CONSTRAINT "payment_hold_subscription_id_fkey" FOREIGN KEY ("subscription_id") REFERENCES "subscription"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "member_history" ADD CONSTRAINT "member_history_member_id_fkey" FOREIGN KEY ("member_id") REFERENCES "member"("id") ON DELETE CASCADE ON UPDATE CASCADE;
