-- AlterTable
ALTER TABLE "stripe_event" ADD COLUMN     "status" TEXT NOT NULL DEFAULT 'applied';
