-- AlterTable
ALTER TABLE "subscription" ADD COLUMN     "pause_keeps_access" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "pause_resumes_at" TIMESTAMPTZ(3),
ADD COLUMN     "paused_since" TIMESTAMPTZ(3);
