-- AlterTable
ALTER TABLE "poll" ADD COLUMN     "budget" JSONB;
