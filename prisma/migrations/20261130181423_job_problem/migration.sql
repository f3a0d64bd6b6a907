-- AlterTable
ALTER TABLE "access_job" ADD COLUMN     "last_problem" JSONB;

-- AlterTable
ALTER TABLE "task" ADD COLUMN     "last_problem" JSONB;
