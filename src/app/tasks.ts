import type { Prisma } from "../generated/prisma/client.ts";
import type { Logger } from "../log.ts";
import type { Db, Tx } from "./db.ts";

/**
 * Schedules a durable task (a timer that survives restarts). Scheduling an existing key again
 * moves it to the new time with the new payload, so a member has one review timer, not one per event.
 */
export async function scheduleTask(
  tx: Tx,
  task: { key: string; kind: string; payload: Prisma.InputJsonValue; runAfter: Date; now: Date },
): Promise<void> {
  const payload = JSON.stringify(task.payload);
  await tx.$executeRaw`
    INSERT INTO task (key, kind, payload, state, version, attempts, run_after, created_at, updated_at)
    VALUES (${task.key}, ${task.kind}, ${payload}::jsonb, 'pending', 1, 0, ${task.runAfter}, ${task.now}, ${task.now})
    ON CONFLICT (key) DO UPDATE SET
      kind = EXCLUDED.kind, payload = EXCLUDED.payload, run_after = EXCLUDED.run_after,
      state = CASE WHEN task.state = 'running' THEN 'running'::"JobState" ELSE 'pending'::"JobState" END,
      version = task.version + 1, attempts = 0, last_error = NULL, finished_at = NULL, updated_at = EXCLUDED.updated_at`;
}

/** Schedules a task only if no task with this key exists yet (one-shot notifications). */
export async function scheduleTaskOnce(
  tx: Tx,
  task: { key: string; kind: string; payload: Prisma.InputJsonValue; runAfter: Date; now: Date },
): Promise<boolean> {
  const payload = JSON.stringify(task.payload);
  const n = await tx.$executeRaw`
    INSERT INTO task (key, kind, payload, state, version, attempts, run_after, created_at, updated_at)
    VALUES (${task.key}, ${task.kind}, ${payload}::jsonb, 'pending', 1, 0, ${task.runAfter}, ${task.now}, ${task.now})
    ON CONFLICT (key) DO NOTHING`;
  return n > 0;
}

export async function cancelTask(tx: Tx, key: string): Promise<void> {
  await tx.task.deleteMany({ where: { key, state: { in: ["pending", "dead"] } } });
}

/** A task row as the worker claims it. */
export interface TaskRow {
  id: bigint;
  key: string;
  kind: string;
  payload: unknown;
  version: number;
  attempts: number;
}

/** The one reconciliation timer (Stripe ↔ ledger ↔ platforms): every 6 hours, and on demand. */
export const RECONCILE_TASK = { key: "reconcile:periodic", kind: "reconcile" } as const;

/**
 * Brings the next reconciliation forward to now, e.g. after a platform could not replay what
 * happened while the bot was away (a Discord session that had to be identified again).
 */
export async function reconcileSoon(
  deps: { db: Db; clock: { now(): Date }; log: Logger; onWork?: () => void },
  reason: string,
): Promise<void> {
  const now = deps.clock.now();
  await deps.db.$transaction((tx) =>
    scheduleTask(tx, { ...RECONCILE_TASK, payload: {}, runAfter: now, now }),
  );
  deps.log.info({ event: "reconcile.requested", reason }, "reconciliation brought forward");
  deps.onWork?.();
}
