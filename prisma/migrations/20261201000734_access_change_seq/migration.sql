-- AlterTable
ALTER TABLE "access_job" ADD COLUMN     "change_seq" INTEGER NOT NULL DEFAULT 1;
