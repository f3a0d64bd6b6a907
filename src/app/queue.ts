import { Prisma } from "../generated/prisma/client.ts";
import type { Db, Tx } from "./db.ts";

/**
 * Leasing over a durable table (access_job, task): claim due rows with FOR UPDATE SKIP LOCKED, so
 * several processes on one PostgreSQL never take the same row; a row whose lease ran out (its
 * process died mid-job) is claimed again. A process renews the leases of the rows it is running
 * (QueueWorker's heartbeat), so a slow job keeps its row however long it takes, and never claims
 * again a row it still has in hand. Each row carries a `version`: finishing an older version
 * than the row now holds (a newer wish arrived meanwhile) leaves it pending instead of done, due
 * when that newer wish said (an access wish: at once; a timer rescheduled by its own run: later).
 *
 * Written on plain SQL rather than a queue library (pg-boss, graphile-worker): those need a real
 * PostgreSQL server and their own schema, while this must also run on the embedded PGlite, and the
 * rows are the ledger's own records (the creator lists dead access jobs, history links to them).
 */

export type QueueTable = "access_job" | "task";

export interface Claimed {
  id: bigint;
  version: number;
  attempts: number;
}

export interface LeaseQueue {
  /**
   * Claims up to `limit` due rows; `where` narrows them (a SQL fragment on the table's columns).
   * `held`: rows this process is running, never claimed again whatever their lease says.
   */
  claim<T extends Claimed>(opts: {
    owner: string;
    limit: number;
    leaseMs: number;
    now: Date;
    where?: Prisma.Sql;
    held?: readonly bigint[];
  }): Promise<T[]>;
  /**
   * Extends the leases `owner` still holds on these rows to `now + leaseMs`; returns the ids it
   * still holds (a row missing was settled, or taken over after its lease ran out).
   */
  renew(opts: { ids: readonly bigint[]; owner: string; leaseMs: number; now: Date }): Promise<bigint[]>;
  /** The work is done: done, or back to pending if a newer version was wished meanwhile. */
  complete(opts: {
    id: bigint;
    owner: string;
    version: number;
    now: Date;
    client?: Tx;
  }): Promise<"done" | "superseded" | "lost">;
  /** The work failed: retry after `retryAt`, or dead when `dead` (attempts exhausted or permanent). */
  fail(opts: {
    id: bigint;
    owner: string;
    version: number;
    now: Date;
    error: string;
    /** Why, for the creator (JobProblem); null when the platform's words are all there is. */
    problem?: object | null;
    retryAt: Date;
    dead: boolean;
    /** Run inside this transaction (to record the outcome together with its history). */
    client?: Tx;
  }): Promise<"retry" | "dead" | "superseded" | "lost">;
  /** The earliest time a row becomes due (or its lease runs out), but for `held` rows, to sleep until then. */
  nextDue(where?: Prisma.Sql, held?: readonly bigint[]): Promise<Date | null>;
}

export function createLeaseQueue(db: Db, table: QueueTable): LeaseQueue {
  const t = Prisma.raw(table);
  return {
    async claim<T extends Claimed>(opts: {
      owner: string;
      limit: number;
      leaseMs: number;
      now: Date;
      where?: Prisma.Sql;
      held?: readonly bigint[];
    }) {
      const leaseUntil = new Date(opts.now.getTime() + opts.leaseMs);
      const extra = opts.where ? Prisma.sql`AND (${opts.where})` : Prisma.empty;
      return db.$queryRaw<T[]>`
        UPDATE ${t} SET state = 'running', lease_owner = ${opts.owner}, lease_until = ${leaseUntil},
               attempts = attempts + 1, updated_at = ${opts.now}
        WHERE id IN (
          SELECT id FROM ${t}
          WHERE ((state = 'pending' AND run_after <= ${opts.now}) OR (state = 'running' AND lease_until < ${opts.now})) ${extra} ${notHeld(opts.held)}
          ORDER BY run_after, id
          LIMIT ${opts.limit}
          FOR UPDATE SKIP LOCKED)
        RETURNING *`;
    },

    async renew(opts) {
      if (opts.ids.length === 0) return [];
      const leaseUntil = new Date(opts.now.getTime() + opts.leaseMs);
      const rows = await db.$queryRaw<{ id: bigint }[]>`
        UPDATE ${t} SET lease_until = ${leaseUntil}
        WHERE id IN (${Prisma.join([...opts.ids])}) AND lease_owner = ${opts.owner} AND state = 'running'
        RETURNING id`;
      return rows.map((r) => r.id);
    },

    async complete(opts) {
      const rows = await (opts.client ?? db).$queryRaw<{ state: string }[]>`
        UPDATE ${t} SET
          state = CASE WHEN version = ${opts.version}::int THEN 'done'::"JobState" ELSE 'pending'::"JobState" END,
          finished_at = CASE WHEN version = ${opts.version}::int THEN ${opts.now}::timestamptz ELSE NULL END,
          attempts = CASE WHEN version = ${opts.version}::int THEN attempts ELSE 0 END,
          lease_owner = NULL, lease_until = NULL, last_error = NULL, last_problem = NULL, updated_at = ${opts.now}
        WHERE id = ${opts.id} AND lease_owner = ${opts.owner} AND state = 'running'
        RETURNING state`;
      const state = rows[0]?.state;
      return state === "done" ? "done" : state === "pending" ? "superseded" : "lost";
    },

    async fail(opts) {
      const rows = await (opts.client ?? db).$queryRaw<{ state: string; superseded: boolean }[]>`
        UPDATE ${t} SET
          state = CASE WHEN version <> ${opts.version}::int THEN 'pending'::"JobState"
                       WHEN ${opts.dead}::boolean THEN 'dead'::"JobState" ELSE 'pending'::"JobState" END,
          run_after = CASE WHEN version <> ${opts.version}::int THEN run_after ELSE ${opts.retryAt}::timestamptz END,
          attempts = CASE WHEN version <> ${opts.version}::int THEN 0 ELSE attempts END,
          finished_at = CASE WHEN version = ${opts.version}::int AND ${opts.dead}::boolean THEN ${opts.now}::timestamptz ELSE NULL END,
          last_error = ${opts.error},
          last_problem = ${opts.problem ? JSON.stringify(opts.problem) : null}::jsonb, lease_owner = NULL, lease_until = NULL, updated_at = ${opts.now}
        WHERE id = ${opts.id} AND lease_owner = ${opts.owner} AND state = 'running'
        RETURNING state, (version <> ${opts.version}::int) AS superseded`;
      const row = rows[0];
      if (!row) return "lost";
      if (row.superseded) return "superseded";
      return row.state === "dead" ? "dead" : "retry";
    },

    async nextDue(where, held) {
      const extra = where ? Prisma.sql`AND (${where})` : Prisma.empty;
      const rows = await db.$queryRaw<{ next: Date | null }[]>`
        SELECT min(CASE WHEN state = 'running' THEN lease_until ELSE run_after END) AS next FROM ${t}
        WHERE state IN ('pending', 'running') ${extra} ${notHeld(held)}`;
      return rows[0]?.next ?? null;
    },
  };
}

/** Leaves out the rows this process is running (an empty list leaves out nothing). */
function notHeld(held: readonly bigint[] | undefined): Prisma.Sql {
  return held?.length ? Prisma.sql`AND id NOT IN (${Prisma.join([...held])})` : Prisma.empty;
}
