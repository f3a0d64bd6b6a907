import { DomainError } from "../../errors.ts";
import { Prisma } from "../../generated/prisma/client.ts";
import type { Db } from "../db.ts";

/** Access jobs that exhausted their retries or failed for good, newest first, for the creator. */
export async function listDeadJobs(db: Db, opts: { limit?: number } = {}) {
  return db.accessJob.findMany({
    where: { state: "dead" },
    orderBy: { updatedAt: "desc" },
    take: opts.limit ?? 25,
  });
}

export async function countDeadJobs(db: Db): Promise<number> {
  return db.accessJob.count({ where: { state: "dead" } });
}

/**
 * Puts dead jobs back in the queue (after the creator fixed the cause: role restored, bot given its
 * rights back). `id` retries one job; without it, every dead job. Returns how many were requeued.
 */
export async function retryDeadJobs(
  db: Db,
  opts: { id?: bigint; now: Date; onWork?: () => void },
): Promise<number> {
  const { count } = await db.accessJob.updateMany({
    where: { state: "dead", ...(opts.id !== undefined ? { id: opts.id } : {}) },
    data: {
      state: "pending",
      attempts: 0,
      runAfter: opts.now,
      lastError: null,
      lastProblem: Prisma.DbNull,
      finishedAt: null,
      version: { increment: 1 },
    },
  });
  if (opts.id !== undefined && count === 0) throw new DomainError("job_not_dead", { id: String(opts.id) });
  if (count > 0) opts.onWork?.();
  return count;
}
