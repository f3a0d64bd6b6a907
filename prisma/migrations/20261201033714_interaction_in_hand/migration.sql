-- CreateTable
CREATE TABLE "interaction_in_hand" (
    "interaction_id" TEXT NOT NULL,
    "application_id" TEXT NOT NULL,
    "token" TEXT NOT NULL,
    "mode" TEXT NOT NULL,
    "command" TEXT NOT NULL,
    "locale" TEXT NOT NULL,
    "owner" TEXT NOT NULL,
    "deferred_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "interaction_in_hand_pkey" PRIMARY KEY ("interaction_id")
);

-- CreateIndex
CREATE INDEX "interaction_in_hand_owner_idx" ON "interaction_in_hand"("owner");
