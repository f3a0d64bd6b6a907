import type { Prisma } from "../generated/prisma/client.ts";
import type { Logger } from "../log.ts";
import type { Db } from "./db.ts";
import { createLeaseQueue } from "./queue.ts";
import type { TaskRow } from "./tasks.ts";
import { type Clock, createQueueWorker, type JobResult, type QueueWorker } from "./worker.ts";

export type TaskHandler = (payload: unknown, task: TaskRow) => Promise<JobResult>;

/** Runs durable tasks (timers and side jobs) by kind. An unknown kind is dead-lettered. */
export function createTaskWorker(opts: {
  db: Db;
  handlers: Readonly<Record<string, TaskHandler>>;
  log: Logger;
  clock?: Clock;
  owner: string;
  concurrency?: number;
  /** How long a claimed task stays this process's without a heartbeat (see QueueWorkerOptions). */
  leaseMs?: number;
  /** Narrows the tasks this worker claims (kinds another worker runs are left out). */
  where?: Prisma.Sql;
}): QueueWorker {
  const log = opts.log.child({ module: "tasks" });
  return createQueueWorker<TaskRow>({
    name: "tasks",
    queue: createLeaseQueue(opts.db, "task"),
    log: opts.log,
    owner: opts.owner,
    ...(opts.clock ? { clock: opts.clock } : {}),
    concurrency: opts.concurrency ?? 2,
    ...(opts.leaseMs ? { leaseMs: opts.leaseMs } : {}),
    ...(opts.where ? { where: opts.where } : {}),
    handle: async (row) => {
      const handler = opts.handlers[row.kind];
      if (!handler) return { outcome: "dead", error: `no handler for task kind ${row.kind}` };
      return handler(row.payload, row);
    },
    settled: async (row, result, state) => {
      const error = result.outcome === "done" ? undefined : result.error;
      const note = result.outcome === "done" ? result.note : undefined;
      const level = state === "dead" ? "error" : state === "retry" ? "warn" : "info";
      log[level](
        { event: `task.${state}`, key: row.key, kind: row.kind, attempt: row.attempts, error, note },
        `task ${row.key}: ${state}${note ? ` (${note})` : ""}`,
      );
    },
  });
}
