import { type AccessTarget, type Platform, parseTargetKey } from "../../core/access.ts";
import { Prisma } from "../../generated/prisma/client.ts";
import type { Logger } from "../../log.ts";
import type { Db } from "../db.ts";
import { memberLabel, recordFeed } from "../feed.ts";
import { createLeaseQueue } from "../queue.ts";
import { scheduleTaskOnce } from "../tasks.ts";
import { type Clock, createQueueWorker, type JobResult, type QueueWorker, systemClock } from "../worker.ts";
import type { AccessJobRow } from "./jobs.ts";

export interface AccessJob {
  id: bigint;
  action: "grant" | "revoke";
  userId: string;
  target: AccessTarget;
  memberId: string | null;
  reason: string;
  attempt: number;
  /**
   * Which change of direction of this account's access to this target the job carries out: a
   * message about the change is keyed by it, so it is sent once however often the job runs.
   */
  change: number;
  /** No welcome or goodbye message is due for it (a role beyond the tiers'). */
  quiet: boolean;
}

/**
 * Executes access jobs on one platform. Must be idempotent: granting a role the fan already holds,
 * or revoking access they do not have, is "done". Classifies failures: "retry" for passing trouble,
 * "dead" when only the creator can fix it (role deleted, bot lost its rights).
 */
export interface AccessExecutor {
  readonly platform: Platform;
  execute(job: AccessJob): Promise<JobResult>;
}

export function createAccessWorker(opts: {
  db: Db;
  executors: readonly AccessExecutor[];
  log: Logger;
  clock?: Clock;
  owner: string;
  concurrency?: number;
  maxAttempts?: number;
  retryBaseMs?: number;
  /** Wakes the task worker once a job's follow-up tasks (JobResult `followUps`) are written. */
  onFollowUps?: () => void;
  /** How long a claimed job stays this process's without a heartbeat (see QueueWorkerOptions). */
  leaseMs?: number;
  onDead?: (job: AccessJob, error: string) => void;
}): QueueWorker {
  const byPlatform = new Map(opts.executors.map((e) => [e.platform, e]));
  const platforms = [...byPlatform.keys()];
  const log = opts.log.child({ module: "access" });
  const toJob = (row: AccessJobRow): AccessJob | undefined => {
    const target = parseTargetKey(row.target_key);
    return target
      ? {
          id: row.id,
          action: row.action,
          userId: row.platform_user_id,
          target,
          memberId: row.member_id,
          reason: row.reason,
          attempt: row.attempts,
          change: row.change_seq,
          quiet: row.quiet === true,
        }
      : undefined;
  };
  return createQueueWorker<AccessJobRow>({
    name: "access",
    queue: createLeaseQueue(opts.db, "access_job"),
    // Jobs for a platform this process does not run wait for one that does. A revoke waits while a
    // grant for the same account is running or not tried yet: a tier switch gives the new role
    // before it takes the old one (jobs run several at once, and the revoke's row is often older).
    // A grant that failed waits for its retry and no longer holds the revoke.
    where: Prisma.sql`platform::text IN (${Prisma.join(platforms.length ? platforms : ["none"])})
      AND NOT (action = 'revoke' AND EXISTS (
        SELECT 1 FROM access_job g
        WHERE g.platform = access_job.platform AND g.platform_user_id = access_job.platform_user_id
          AND g.id <> access_job.id AND g.action = 'grant'
          AND (g.state = 'running' OR (g.state = 'pending' AND g.attempts = 0))))`,
    log: opts.log,
    owner: opts.owner,
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.concurrency ? { concurrency: opts.concurrency } : {}),
    ...(opts.maxAttempts ? { maxAttempts: opts.maxAttempts } : {}),
    ...(opts.retryBaseMs ? { retryBaseMs: opts.retryBaseMs } : {}),
    ...(opts.leaseMs ? { leaseMs: opts.leaseMs } : {}),
    handle: async (row) => {
      const job = toJob(row);
      const executor = byPlatform.get(row.platform);
      if (!job) return { outcome: "dead", error: `unreadable target ${row.target_key}` };
      if (!executor) return { outcome: "retry", error: `no ${row.platform} executor in this process` };
      return executor.execute(job);
    },
    // The job's new state and its history row commit together: a crash cannot keep one without the other.
    transaction: (fn) => opts.db.$transaction(fn),
    record: async (row, result, state, tx) => {
      // The follow-ups of work done (a superseded job's work was done too: its message's own
      // check tells whether a newer change makes it moot).
      if (
        result.outcome === "done" &&
        result.followUps?.length &&
        (state === "done" || state === "superseded")
      ) {
        const now = (opts.clock ?? systemClock).now();
        for (const task of result.followUps)
          await scheduleTaskOnce(tx ?? opts.db, { ...task, runAfter: now, now });
      }
      if (!row.member_id || (state !== "done" && state !== "dead")) return;
      const note = result.outcome === "done" && result.note ? ` (${result.note})` : "";
      if (state === "dead" && tx) {
        // Failed for good: only the creator can fix it, so the feed says so (src/app/feed.ts).
        const now = (opts.clock ?? systemClock).now();
        await recordFeed(
          tx,
          {
            kind: "access_failed",
            params: {
              who: await memberLabel(tx, row.member_id),
              action: row.action,
              target: row.target_key,
              error: (result.outcome === "done" ? "" : result.error).slice(0, 300),
              problem: (result.outcome === "done" ? null : result.problem) ?? null,
            },
          },
          now,
        );
      }
      await (tx ?? opts.db).memberHistory.create({
        data: {
          memberId: row.member_id,
          actor: "system",
          action:
            state === "done"
              ? row.action === "grant"
                ? "access.granted"
                : "access.revoked"
              : `access.${row.action}.failed`,
          toState: `${row.platform}:${row.platform_user_id} ${row.target_key}`,
          reason: result.outcome === "done" ? `${row.reason}${note}` : result.error,
          stripeEventId: row.stripe_event_id,
        },
      });
    },
    settled: async (row, result, state) => {
      if (
        result.outcome === "done" &&
        result.followUps?.length &&
        (state === "done" || state === "superseded")
      )
        opts.onFollowUps?.();
      const fields = {
        jobId: String(row.id),
        memberId: row.member_id,
        platform: row.platform,
        userId: row.platform_user_id,
        target: row.target_key,
        attempt: row.attempts,
        reason: row.reason,
      };
      if (state === "done") {
        const note = result.outcome === "done" && result.note ? ` (${result.note})` : "";
        log.info(
          { event: `access.${row.action === "grant" ? "granted" : "revoked"}`, ...fields },
          `${row.action} ${row.target_key} for ${row.platform}:${row.platform_user_id}${note}`,
        );
        return;
      }
      const error = result.outcome === "done" ? "" : result.error;
      if (state === "dead") {
        log.error({ event: "access.dead", ...fields, error }, `access job dead-lettered: ${error}`);
        const job = toJob(row);
        if (job) opts.onDead?.(job, error);
      } else if (state === "retry") {
        log.warn({ event: "access.retry", ...fields, error }, `access job will be retried: ${error}`);
      } else if (state === "superseded") {
        log.info(
          { event: "access.superseded", ...fields },
          "a newer wish arrived meanwhile; running it next",
        );
      } else {
        log.warn({ event: "access.lease_lost", ...fields }, "lease lost; another worker has the job");
      }
    },
  });
}
