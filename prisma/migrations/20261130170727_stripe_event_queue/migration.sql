-- AlterTable
ALTER TABLE "stripe_event" ADD COLUMN     "payload" JSONB,
ADD COLUMN     "queue_key" TEXT,
ADD COLUMN     "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

-- CreateIndex
CREATE INDEX "stripe_event_queue_key_status_idx" ON "stripe_event"("queue_key", "status");
