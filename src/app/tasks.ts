import { randomUUID } from "node:crypto";
import { Prisma } from "../generated/prisma/client.ts";
import type { Logger } from "../log.ts";
import type { Db, Tx } from "./db.ts";
import { createLeaseQueue } from "./queue.ts";
import type { JobResult } from "./worker.ts";

/** A task to schedule: `key` names it (scheduling the same key again moves it). */
export interface TaskInput {
  key: string;
  kind: string;
  payload: Prisma.InputJsonValue;
  runAfter: Date;
  now: Date;
}

/**
 * Schedules a durable task (a timer that survives restarts). Scheduling an existing key again
 * moves it to the new time with the new payload, so a member has one review timer, not one per event.
 */
export async function scheduleTask(tx: Tx, task: TaskInput): Promise<void> {
  await upsertTask(tx, task, Prisma.empty);
}

/** Inserts the task, or moves an existing one with its key (where `when` allows it). */
async function upsertTask(tx: Tx, task: TaskInput, when: Prisma.Sql): Promise<void> {
  const payload = JSON.stringify(task.payload);
  await tx.$executeRaw`
    INSERT INTO task (key, kind, payload, state, version, attempts, run_after, created_at, updated_at)
    VALUES (${task.key}, ${task.kind}, ${payload}::jsonb, 'pending', 1, 0, ${task.runAfter}, ${task.now}, ${task.now})
    ON CONFLICT (key) DO UPDATE SET
      kind = EXCLUDED.kind, payload = EXCLUDED.payload, run_after = EXCLUDED.run_after,
      state = CASE WHEN task.state = 'running' THEN 'running'::"JobState" ELSE 'pending'::"JobState" END,
      version = task.version + 1, attempts = 0, last_error = NULL, last_problem = NULL, finished_at = NULL, updated_at = EXCLUDED.updated_at
    ${when}`;
}

/** Schedules a task only if no task with this key exists yet (one-shot notifications). */
export async function scheduleTaskOnce(tx: Tx, task: TaskInput): Promise<boolean> {
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

/** A task this process took in hand at once (state running, under its lease). */
export interface HeldTask {
  id: bigint;
  version: number;
  owner: string;
}

/**
 * Stores a task as running, held by this process under a lease, so that it can be done at once
 * while staying durable: should the process die (or the database fail) before it settles it, the
 * task worker takes it over once the lease runs out. Returns null when there is nothing to do: the
 * task is running elsewhere under a live lease, or a finished task already carried the same
 * `dedupe` value in its payload (a redelivered update).
 */
export async function holdTask(
  db: Db | Tx,
  task: {
    key: string;
    kind: string;
    payload: Prisma.InputJsonObject;
    leaseMs: number;
    now: Date;
    /** A payload field whose equal value in a finished task means "already done". */
    dedupe: string;
  },
): Promise<HeldTask | null> {
  const { now } = task;
  const owner = `hold:${randomUUID()}`;
  const leaseUntil = new Date(now.getTime() + task.leaseMs);
  const rows = await db.$queryRaw<{ id: bigint; version: number }[]>`
    INSERT INTO task (key, kind, payload, state, version, attempts, run_after, lease_owner, lease_until,
                      created_at, updated_at)
    VALUES (${task.key}, ${task.kind}, ${JSON.stringify(task.payload)}::jsonb, 'running', 1, 1, ${now}, ${owner},
            ${leaseUntil}, ${now}, ${now})
    ON CONFLICT (key) DO UPDATE SET
      kind = EXCLUDED.kind, payload = EXCLUDED.payload, state = 'running', version = task.version + 1,
      attempts = 1, run_after = EXCLUDED.run_after, lease_owner = EXCLUDED.lease_owner,
      lease_until = EXCLUDED.lease_until, last_error = NULL, last_problem = NULL, finished_at = NULL, updated_at = EXCLUDED.updated_at
    WHERE NOT (task.state = 'running' AND task.lease_until > EXCLUDED.updated_at)
      AND NOT (task.state IN ('done', 'dead') AND task.payload->>${task.dedupe} = EXCLUDED.payload->>${task.dedupe})
    RETURNING id, version`;
  const row = rows[0];
  return row ? { id: row.id, version: row.version, owner } : null;
}

/**
 * Settles a task held with holdTask: done, or failed (retried by the task worker after
 * `retryMs`, or dead). Resolves "lost" when the lease had run out and the worker took it over.
 */
export async function settleHeldTask(
  db: Db,
  held: HeldTask,
  result: JobResult,
  opts: { now: Date; retryMs: number },
): Promise<string> {
  const tasks = createLeaseQueue(db, "task");
  const { now } = opts;
  return result.outcome === "done"
    ? tasks.complete({ ...held, now })
    : tasks.fail({
        ...held,
        now,
        error: result.error.slice(0, 2000),
        problem: result.problem ?? null,
        retryAt: new Date(now.getTime() + opts.retryMs),
        dead: result.outcome === "dead",
      });
}

/**
 * Schedules a task unless it is already pending (then it keeps its earlier time): the first event
 * of a burst sets when the burst is gathered, the later ones join it. A task that is running is
 * bumped, so it runs again after it finishes (it may have read before this transaction committed).
 */
export async function scheduleTaskUnlessPending(tx: Tx, task: TaskInput): Promise<void> {
  await upsertTask(tx, task, Prisma.sql`WHERE task.state <> 'pending'`);
}

/**
 * Makes sure the task runs at `runAfter` or sooner: a new one, a done one scheduled again, a running
 * one run once more, a pending one moved earlier (never later). One key can so hold both a refresh
 * soon after a change and a refresh far ahead, the earliest winning.
 */
export async function scheduleTaskNoLaterThan(tx: Tx, task: TaskInput): Promise<void> {
  await upsertTask(
    tx,
    task,
    Prisma.sql`WHERE task.state <> 'pending' OR task.run_after > EXCLUDED.run_after`,
  );
}
