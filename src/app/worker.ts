import type { Prisma } from "../generated/prisma/client.ts";
import { backoffDelay } from "../lib/retry.ts";
import type { Logger } from "../log.ts";
import type { Tx } from "./db.ts";
import type { Claimed, LeaseQueue } from "./queue.ts";

export type JobResult =
  /**
   * Applied, or the platform already was in the wanted state. `followUps`: durable tasks that follow from
   * the work (the message telling the fan), written in the same transaction as the outcome (by
   * workers that record one, the access worker), so they exist exactly when the work is recorded
   * done, even when the database came back only after the work.
   */
  | { outcome: "done"; note?: string; followUps?: readonly FollowUpTask[] }
  /** A passing failure (network, 5xx, rate limit): try again later. */
  | { outcome: "retry"; error: string; retryAfterMs?: number; problem?: JobProblem }
  /** A failure that retrying cannot fix (role deleted, bot lost its rights): dead-letter it. */
  | { outcome: "dead"; error: string; problem?: JobProblem };

/** A task scheduled once (its key, a change's own, makes it one-shot) with a job's outcome. */
export interface FollowUpTask {
  key: string;
  kind: string;
  payload: Prisma.InputJsonValue;
}

/**
 * Why a job failed, in terms the creator can act on, stored with the job (`last_problem`) so that it
 * is worded in the reader's language when shown; `error` keeps the platform's own words for the logs.
 * Parameters are labels the platform knows (a role, a server, a chat).
 */
export type JobProblem =
  | { code: "role_gone"; role: string; server: string }
  | { code: "bot_not_in_server"; server: string }
  | { code: "role_not_manageable"; role: string; server: string }
  | { code: "bot_removed"; chat: string }
  | { code: "rights_missing"; chat: string }
  | { code: "chat_gone"; chat: string };

export interface Clock {
  now(): Date;
}

/** The longest wait between tries to record an outcome while the database is away. */
const SETTLE_RETRY_MAX_MS = 2_000;

export const systemClock: Clock = { now: () => new Date() };

export type SettledState = "done" | "retry" | "dead" | "superseded" | "lost";

export interface QueueWorker {
  start(): void;
  /** Look for work now (after enqueueing). */
  wake(): void;
  /** Runs due rows until none is left; for tests and for `reconcile --now`. Returns how many ran. */
  drain(): Promise<number>;
  /** Stops claiming and waits for the rows in hand. */
  stop(): Promise<void>;
}

export interface QueueWorkerOptions<Row extends Claimed> {
  name: string;
  queue: LeaseQueue;
  handle: (row: Row) => Promise<JobResult>;
  /**
   * Runs the outcome's recording in one transaction: the row's new state and whatever `record`
   * writes (history), so a crash cannot keep one without the other.
   */
  transaction?: <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>;
  /** Writes what must commit with the outcome (inside `transaction` when given). */
  record?: (row: Row, result: JobResult, state: SettledState, tx?: Tx) => Promise<void>;
  /** Called once the outcome is committed: logs and side effects. */
  settled: (row: Row, result: JobResult, state: SettledState) => Promise<void>;
  log: Logger;
  clock?: Clock;
  owner: string;
  where?: Prisma.Sql;
  concurrency?: number;
  /**
   * How long a claimed row stays this process's without news from it (default 6 s). While a row
   * runs, its lease is renewed every leaseMs / 3: only a process that stopped (crashed, frozen, cut
   * off from the database) loses its rows to another, which claims them within these 6 seconds.
   */
  leaseMs?: number;
  maxAttempts?: number;
  /** First retry delay; doubles up to maxRetryDelayMs. */
  retryBaseMs?: number;
  maxRetryDelayMs?: number;
  /** Longest sleep between looks when nothing is due (another process may enqueue). */
  idleMs?: number;
}

/**
 * Runs a lease queue: claims due rows, handles up to `concurrency` at once, retries with exponential
 * backoff, dead-letters after `maxAttempts`. A row whose handler throws is retried: handlers classify
 * what they know, and anything unexpected gets another chance rather than being lost.
 *
 * A handler may take longer than the lease (a Discord call held by rate limits, a reconciliation of
 * many members): a heartbeat renews the leases of the rows in hand every leaseMs / 3, and the rows in
 * hand are never claimed again by this worker, so a slow job runs once, not once per lease (twice
 * the invites, twice the DMs). Only a process that stopped renewing loses its rows.
 */
export function createQueueWorker<Row extends Claimed>(opts: QueueWorkerOptions<Row>): QueueWorker {
  const clock = opts.clock ?? { now: () => new Date() };
  const concurrency = opts.concurrency ?? 4;
  const leaseMs = opts.leaseMs ?? 6_000;
  const maxAttempts = opts.maxAttempts ?? 8;
  const log = opts.log.child({ module: opts.name });
  let running = false;
  let loop: Promise<void> | undefined;
  let wakeUp: (() => void) | undefined;
  let woken = false;
  const inFlight = new Set<Promise<void>>();
  /** Rows claimed and not yet settled (their outcome recorded). */
  const held = new Map<bigint, { settling: boolean }>();
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  let renewing = false;

  /** Renews the leases of the rows in hand; says so when one was taken over meanwhile. */
  const renewLeases = async (): Promise<void> => {
    if (renewing || held.size === 0) return;
    renewing = true;
    const ids = [...held.keys()];
    try {
      const kept = new Set(
        (await opts.queue.renew({ ids, owner: opts.owner, leaseMs, now: clock.now() })).map(String),
      );
      for (const id of ids) {
        const row = held.get(id);
        // A row settled meanwhile is no longer leased: that is its outcome, not a loss.
        if (!row || row.settling || kept.has(String(id))) continue;
        log.warn(
          { event: `${opts.name}.lease_lost`, id: String(id) },
          "another process took this job over (its lease ran out); its outcome here will not be recorded",
        );
      }
    } catch (err) {
      // The next beat tries again; the lease has two more beats' worth of time left.
      log.warn(
        { event: `${opts.name}.lease_renew_failed`, err },
        "could not renew the leases of running jobs",
      );
    } finally {
      renewing = false;
    }
  };

  const hold = (id: bigint): void => {
    held.set(id, { settling: false });
    heartbeat ??= setInterval(() => void renewLeases(), Math.max(1, Math.floor(leaseMs / 3)));
    heartbeat.unref?.();
  };
  const release = (id: bigint): void => {
    held.delete(id);
    if (held.size === 0 && heartbeat) {
      clearInterval(heartbeat);
      heartbeat = undefined;
    }
  };

  const settle = async (row: Row, result: JobResult): Promise<void> => {
    const transaction = opts.transaction;
    const state = transaction
      ? await transaction(async (tx) => {
          const s = await mark(row, result, tx);
          await opts.record?.(row, result, s, tx);
          return s;
        })
      : await mark(row, result);
    await opts.settled(row, result, state);
  };

  /** Marks the row done / retry / dead (inside `client`'s transaction when given). */
  const mark = async (row: Row, result: JobResult, client?: Tx): Promise<SettledState> => {
    const now = clock.now();
    let state: SettledState;
    const inTx = client ? { client } : {};
    if (result.outcome === "done") {
      state = await opts.queue.complete({
        id: row.id,
        owner: opts.owner,
        version: row.version,
        now,
        ...inTx,
      });
    } else {
      const dead = result.outcome === "dead" || row.attempts >= maxAttempts;
      const delay =
        result.outcome === "retry" && result.retryAfterMs !== undefined
          ? result.retryAfterMs
          : backoffDelay(row.attempts - 1, opts.retryBaseMs ?? 2_000, opts.maxRetryDelayMs ?? 600_000);
      state = await opts.queue.fail({
        id: row.id,
        owner: opts.owner,
        version: row.version,
        now,
        error: result.error.slice(0, 2000),
        problem: result.problem ?? null,
        retryAt: new Date(now.getTime() + delay),
        dead,
        ...inTx,
      });
    }
    return state;
  };

  const runOne = async (row: Row): Promise<void> => {
    let result: JobResult;
    try {
      result = await opts.handle(row);
    } catch (err) {
      result = { outcome: "retry", error: err instanceof Error ? err.message : String(err) };
      log.warn(
        { event: `${opts.name}.handler_threw`, id: String(row.id), err },
        "job handler threw; will retry",
      );
    }
    const mine = held.get(row.id);
    if (mine) mine.settling = true;
    await settleSurely(row, result);
  };

  /**
   * Records the outcome, however long the database is away: the work was done (a role given, a DM
   * sent), so running it again would do it twice. While the outcome waits, the row stays in hand
   * (this worker never claims it again, its heartbeat renews the lease as soon as the database
   * answers) and recording is tried again with backoff; the row goes to another process only if
   * its lease ran out and that process claimed it first, which `complete` then reports as lost.
   * Only a stopping worker gives up, after one last try: the row runs again after its lease.
   */
  const settleSurely = async (row: Row, result: JobResult): Promise<void> => {
    const since = Date.now();
    for (let attempt = 0; ; attempt++) {
      try {
        await settle(row, result);
        if (attempt > 0)
          log.info(
            {
              event: `${opts.name}.settled_late`,
              id: String(row.id),
              outcome: result.outcome,
              waitedMs: Date.now() - since,
            },
            "the job's outcome was recorded once the database answered again",
          );
        return;
      } catch (err) {
        if (!running) {
          // Stopping (or draining without a loop): the row runs again once its lease runs out.
          log.error(
            { event: `${opts.name}.settle_failed`, id: String(row.id), outcome: result.outcome, err },
            "could not record the job's result; it runs again once its lease runs out",
          );
          return;
        }
        if (attempt === 0)
          log.warn(
            { event: `${opts.name}.settle_deferred`, id: String(row.id), outcome: result.outcome, err },
            "could not record the job's result (database unavailable?); keeping it and trying again",
          );
        await new Promise((r) => setTimeout(r, Math.min(SETTLE_RETRY_MAX_MS, 200 * 2 ** attempt)));
      }
    }
  };

  /** Claims and runs one batch; resolves when the batch is settled. */
  const runBatch = async (): Promise<number> => {
    const free = concurrency - inFlight.size;
    if (free <= 0) return 0;
    const rows = await opts.queue.claim<Row>({
      owner: opts.owner,
      limit: free,
      leaseMs,
      now: clock.now(),
      ...(opts.where ? { where: opts.where } : {}),
      held: [...held.keys()],
    });
    for (const row of rows) {
      hold(row.id);
      const p = runOne(row).finally(() => {
        release(row.id);
        inFlight.delete(p);
        // Not lost when the loop is not asleep yet: it may be reading nextDue without this row (held
        // then), and would otherwise sleep past the retry this row was just given.
        woken = true;
        wakeUp?.();
      });
      inFlight.add(p);
    }
    return rows.length;
  };

  const sleepUntilWoken = async (ms: number): Promise<void> => {
    // A wake (or stop) that came while the loop was busy must not be lost to the next sleep.
    if (woken || !running) {
      woken = false;
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    wakeUp = undefined;
    woken = false;
  };

  const run = async (): Promise<void> => {
    const idleMs = opts.idleMs ?? 30_000;
    while (running) {
      let claimed = 0;
      try {
        claimed = await runBatch();
      } catch (err) {
        log.error(
          { event: `${opts.name}.claim_failed`, err },
          "could not claim jobs; the database may be unavailable",
        );
        await sleepUntilWoken(5_000);
        continue;
      }
      if (!running) break;
      if (claimed > 0 && inFlight.size < concurrency) continue;
      if (inFlight.size >= concurrency) {
        await sleepUntilWoken(idleMs);
        continue;
      }
      let wait = idleMs;
      try {
        const next = await opts.queue.nextDue(opts.where, [...held.keys()]);
        if (next) wait = Math.max(10, Math.min(idleMs, next.getTime() - clock.now().getTime()));
      } catch {
        wait = 5_000;
      }
      await sleepUntilWoken(wait);
    }
  };

  return {
    start() {
      if (running) return;
      running = true;
      loop = run();
    },
    wake() {
      woken = true;
      wakeUp?.();
    },
    async drain() {
      let total = 0;
      for (;;) {
        const n = await runBatch();
        total += n;
        if (inFlight.size === 0 && n === 0) return total;
        await Promise.race(inFlight);
      }
    },
    async stop() {
      running = false;
      woken = true;
      wakeUp?.();
      await loop;
      await Promise.allSettled(inFlight);
    },
  };
}
