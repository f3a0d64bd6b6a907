-- AlterTable
ALTER TABLE "access_job" ADD COLUMN     "quiet" BOOLEAN NOT NULL DEFAULT false;
