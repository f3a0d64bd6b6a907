import type Stripe from "stripe";
import { Prisma } from "../../generated/prisma/client.ts";
import type { Logger } from "../../log.ts";
import type { Db, Tx } from "../db.ts";
import { createLeaseQueue } from "../queue.ts";
import type { TaskRow } from "../tasks.ts";
import { type Clock, createQueueWorker, type JobResult, type QueueWorker } from "../worker.ts";
import { applyFresh } from "./apply.ts";
import type { SubscriptionState } from "./billing.ts";
import { foreignEventReason, HANDLED_EVENT_TYPES } from "./eventTypes.ts";
import { META } from "./metadata.ts";
import { type Fresh, failureHint, onceEach, permanentReadFailure, readFresh } from "./readFresh.ts";
import { applyCustomerStates } from "./subscriptions.ts";
import type { BillingDeps } from "./types.ts";

/**
 * Stripe events: acknowledged fast, applied soon, Stripe read once.
 *
 * The webhook only verifies, deduplicates and writes the event (`acceptStripeEvent`: one statement
 * that records the event as queued and wakes its queue key's task), then answers 2xx. The worker
 * (`createStripeEventWorker`, in every process) claims one task per queue key (the customer) with
 * the lease queue's FOR UPDATE SKIP LOCKED, so one process at a time works on a customer, and
 * applies every event of that customer queued so far with one re-read of Stripe, in one transaction
 * that marks them applied. An event arriving while that customer's re-read is pending joins it; one
 * arriving while it runs bumps the task's version, so the task runs once more afterwards (one more
 * read for the whole burst that came meanwhile). A crash loses nothing: queued rows stay queued and
 * a claim whose process died is taken again when its lease runs out.
 */

export const STRIPE_EVENTS_TASK = "stripe.events";

export type AcceptResult = {
  /** `queued`: recorded, applied soon by the worker. */
  status: "queued" | "duplicate" | "ignored";
  outcome: string;
};

const idOf = (x: string | { id: string } | null | undefined): string | null =>
  x == null ? null : typeof x === "string" ? x : x.id;

/**
 * The events of one key are applied in order with one re-read: the customer the event is about,
 * or when it names none (a dispute names only its charge), the object it points at.
 */
export function queueKeyOf(event: Stripe.Event): string {
  const obj = event.data.object as {
    id?: unknown;
    object?: unknown;
    customer?: string | { id: string } | null;
    charge?: string | { id: string } | null;
  };
  if (event.type === "customer.deleted" && typeof obj.id === "string") return obj.id;
  const customer = idOf(obj.customer);
  if (customer) return customer;
  const charge = event.type.startsWith("charge.dispute.") ? idOf(obj.charge) : null;
  if (charge) return `charge:${charge}`;
  return `object:${typeof obj.id === "string" ? obj.id : event.id}`;
}

/**
 * Records a verified event: queued for the worker (answered at once), or ignored for good when it
 * is not about this shop. A replay of a recorded event is a duplicate and changes nothing.
 */
export async function acceptStripeEvent(
  deps: Pick<BillingDeps, "db" | "clock" | "log" | "livemode" | "onWork" | "onStripeEvent">,
  event: Stripe.Event,
): Promise<AcceptResult> {
  const log = deps.log.child({ module: "billing", stripeEventId: event.id, type: event.type });
  const now = deps.clock.now();
  const created = new Date(event.created * 1000);
  const objectId = objectIdOf(event);
  const foreign = foreignEventReason(event, deps.livemode);
  if (foreign) {
    // Recorded, so that a replay is answered from the record; never applied.
    const outcome = `ignored: ${foreign}`.slice(0, 1000);
    const n = await deps.db.$executeRaw`
      INSERT INTO stripe_event (id, type, created, object_id, status, outcome, received_at, processed_at)
      VALUES (${event.id}, ${event.type}, ${created}, ${objectId}, 'ignored', ${outcome}, ${now}, ${now})
      ON CONFLICT (id) DO NOTHING`;
    if (n === 0) return duplicate(log);
    log.warn(
      {
        event: "stripe.event.foreign",
        livemode: event.livemode,
        account: event.account ?? null,
        reason: foreign,
      },
      `signed event ignored: ${foreign}`,
    );
    return { status: "ignored", outcome: foreign };
  }
  if (!HANDLED_EVENT_TYPES.has(event.type))
    return { status: "ignored", outcome: `type ${event.type} not handled` };

  const [recorded] = await recordQueued(deps.db, [event], now);
  return afterRecorded(deps, event, recorded === true, now);
}

/** After the event's row committed: the answer, the worker woken, access opened early when paid. */
function afterRecorded(
  deps: Pick<BillingDeps, "db" | "clock" | "log" | "onWork" | "onStripeEvent">,
  event: Stripe.Event,
  recorded: boolean,
  now: Date,
): AcceptResult {
  const log = deps.log.child({ module: "billing", stripeEventId: event.id, type: event.type });
  if (!recorded) return duplicate(log);
  log.info({ event: "stripe.event.queued", queueKey: queueKeyOf(event) }, "event recorded; applied soon");
  (deps.onStripeEvent ?? deps.onWork)?.();
  if (paidCheckout(event)) {
    // Not awaited: the answer to Stripe does not wait for it. If the process stops first, the
    // worker's apply (which re-reads) opens access instead, a little later.
    void openAccessOnPaidCheckout(deps, event, now).catch((err: unknown) =>
      log.warn(
        { event: "stripe.event.early_access_failed", err },
        "could not open access before the re-read; the worker will",
      ),
    );
  }
  return { status: "queued", outcome: "queued" };
}

/**
 * Records handled, not foreign events as queued, and wakes their queue keys' tasks (new, or due
 * again at once with a new version, so that a run in progress runs once more for them), in one
 * statement: one commit for the whole batch. Returns, for each event, whether this statement
 * recorded it (false: recorded before, a duplicate; an id twice in `events` is recorded once).
 * Rows are written in id order and tasks in key order, so two batches running at once (two
 * processes) wait on each other, never deadlock.
 */
async function recordQueued(db: Db, events: readonly Stripe.Event[], now: Date): Promise<boolean[]> {
  const unique = [...new Map(events.map((e) => [e.id, e])).values()].sort((a, b) =>
    a.id < b.id ? -1 : a.id > b.id ? 1 : 0,
  );
  const values = unique.map(
    (e) =>
      Prisma.sql`(${e.id}, ${e.type}, ${new Date(e.created * 1000)}, ${objectIdOf(e)}, 'queued', '', ${queueKeyOf(e)}, ${JSON.stringify(e)}::jsonb, ${now}, ${now})`,
  );
  const rows = await db.$queryRaw<{ id: string }[]>`
    WITH e AS (
      INSERT INTO stripe_event (id, type, created, object_id, status, outcome, queue_key, payload, received_at, processed_at)
      VALUES ${Prisma.join(values)}
      ON CONFLICT (id) DO NOTHING
      RETURNING id, queue_key),
    t AS (
      INSERT INTO task (key, kind, payload, state, version, attempts, run_after, created_at, updated_at)
      SELECT k.key, ${STRIPE_EVENTS_TASK}, jsonb_build_object('queueKey', k.queue_key), 'pending', 1, 0, ${now}, ${now}, ${now}
      FROM (SELECT DISTINCT ${`${STRIPE_EVENTS_TASK}:`}::text || queue_key AS key, queue_key FROM e ORDER BY 1) k
      ON CONFLICT (key) DO UPDATE SET
        run_after = EXCLUDED.run_after,
        state = CASE WHEN task.state = 'running' THEN 'running'::"JobState" ELSE 'pending'::"JobState" END,
        version = task.version + 1, attempts = 0, last_error = NULL, finished_at = NULL, updated_at = EXCLUDED.updated_at
      RETURNING 1)
    SELECT id FROM e`;
  const inserted = new Set(rows.map((r) => r.id));
  return events.map((e) => inserted.delete(e.id));
}

export interface StripeEventIntake {
  /** acceptStripeEvent, with the events arriving together written in one statement (one commit). */
  accept(event: Stripe.Event): Promise<AcceptResult>;
}

/**
 * Group commit for the webhook: a handled event waits for no timer; events that arrive while a
 * batch is being written are written together in the next one (up to `maxBatch`), and at most
 * `inFlight` batches are written at once, so a burst of acknowledgments costs a few commits and
 * a few connections, not one each; `db`, when given, has connections of its own for this (an
 * acknowledgment never waits behind the workers for one). The early access runs on `deps.db`. A
 * batch that fails (the database) fails every event in it: each is answered 5xx and retried by
 * Stripe. Foreign and unhandled events take acceptStripeEvent's own path.
 */
export function createStripeEventIntake(
  deps: Pick<BillingDeps, "db" | "clock" | "log" | "livemode" | "onWork" | "onStripeEvent">,
  opts: { maxBatch?: number; inFlight?: number; db?: Db } = {},
): StripeEventIntake {
  const intakeDb = opts.db ?? deps.db;
  const maxBatch = opts.maxBatch ?? 500;
  const maxInFlight = opts.inFlight ?? 2;
  type Waiting = {
    event: Stripe.Event;
    resolve: (r: AcceptResult) => void;
    reject: (err: unknown) => void;
  };
  const waiting: Waiting[] = [];
  let inFlight = 0;
  let scheduled = false;

  const write = async (batch: Waiting[]): Promise<void> => {
    const now = deps.clock.now();
    try {
      const recorded = await recordQueued(
        intakeDb,
        batch.map((w) => w.event),
        now,
      );
      batch.forEach((w, i) => {
        try {
          w.resolve(afterRecorded(deps, w.event, recorded[i] === true, now));
        } catch (err) {
          w.reject(err);
        }
      });
    } catch (err) {
      for (const w of batch) w.reject(err);
    }
  };
  const flush = (): void => {
    scheduled = false;
    while (inFlight < maxInFlight && waiting.length > 0) {
      const batch = waiting.splice(0, maxBatch);
      inFlight++;
      void write(batch).finally(() => {
        inFlight--;
        flush();
      });
    }
  };
  return {
    accept(event) {
      if (foreignEventReason(event, deps.livemode) || !HANDLED_EVENT_TYPES.has(event.type))
        return acceptStripeEvent(deps, event);
      return new Promise<AcceptResult>((resolve, reject) => {
        waiting.push({ event, resolve, reject });
        // The events of this turn of the event loop go together; a lone event waits for nothing.
        if (!scheduled && inFlight < maxInFlight) {
          scheduled = true;
          setImmediate(flush);
        }
      });
    },
  };
}

function duplicate(log: Logger): AcceptResult {
  log.info({ event: "stripe.event.duplicate" }, "event already recorded");
  return { status: "duplicate", outcome: "already processed" };
}

function objectIdOf(event: Stripe.Event): string | null {
  const obj = event.data.object as { id?: unknown };
  return typeof obj.id === "string" ? obj.id : null;
}

/** A subscription checkout Stripe signed as paid, made by the bot (it names member and price). */
function paidCheckout(event: Stripe.Event): boolean {
  if (event.type !== "checkout.session.completed") return false;
  const s = event.data.object;
  return (
    s.mode === "subscription" &&
    s.payment_status === "paid" &&
    idOf(s.customer) !== null &&
    idOf(s.subscription) !== null &&
    Boolean(s.metadata?.[META.memberId]) &&
    Boolean(s.metadata?.[META.priceId])
  );
}

/** Serializes the writes about one queue key (the early access and the worker's apply). */
async function lockKey(tx: Tx, queueKey: string): Promise<void> {
  await tx.$queryRaw`SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock(hashtextextended(${queueKey}, 0))) l`;
}

/**
 * A signed checkout.session.completed that says paid is a fact: the subscription is recorded active
 * and access planned at once, before the re-read that confirms the ledger waits its turn in the
 * Stripe budget. The state is stamped with the event's time (or its arrival, if earlier), never
 * later: any re-read made after the event (its stamp is when it started) wins over it, and it
 * cannot overwrite one (see upsertSubscription). README, "Launch day", says what this means.
 */
export async function openAccessOnPaidCheckout(
  deps: Pick<BillingDeps, "db" | "clock" | "log" | "onWork">,
  event: Stripe.Event,
  receivedAt: Date,
): Promise<boolean> {
  if (!paidCheckout(event) || event.type !== "checkout.session.completed") return false;
  const s = event.data.object;
  const customerId = idOf(s.customer) as string;
  const subscriptionId = idOf(s.subscription) as string;
  const metadata: Record<string, string> = {
    ...s.metadata,
    ...(s.client_reference_id ? { client_reference_id: s.client_reference_id } : {}),
  };
  const priceId = metadata[META.priceId] as string;
  const stamp = new Date(Math.min(event.created * 1000, receivedAt.getTime()));
  const log = deps.log.child({ module: "billing", stripeEventId: event.id, type: event.type });
  const result = await deps.db.$transaction(
    async (tx) => {
      await lockKey(tx, customerId);
      const row = await tx.stripeEvent.findUnique({ where: { id: event.id }, select: { status: true } });
      // Already applied from a re-read (newer than the event): nothing to open early.
      if (row?.status !== "queued") return null;
      const price = await tx.tierPrice.findUnique({ where: { stripePriceId: priceId } });
      if (price?.kind !== "recurring") return null;
      const state: SubscriptionState = {
        id: subscriptionId,
        customerId,
        status: "active",
        priceId,
        amount: s.amount_total ?? price.amount,
        currency: s.currency ?? price.currency,
        interval: price.interval,
        currentPeriodEnd: null,
        cancelAtPeriodEnd: false,
        startedAt: new Date(event.created * 1000),
        endedAt: null,
        metadata,
        pause: null,
      };
      return applyCustomerStates(
        tx,
        { customerId, metadata, states: [state], paymentIntentId: null, claim: true },
        stamp,
        {
          actor: "stripe",
          reason: `${event.type} ${event.id} (paid; before the re-read)`,
          stripeEventId: event.id,
          now: deps.clock.now(),
        },
        log,
      );
    },
    { timeout: 30_000, maxWait: 30_000 },
  );
  if (result?.status !== "applied") return false;
  log.info(
    { event: "stripe.event.early_access", memberId: result.memberId, outcome: result.outcome },
    "paid checkout: access opened before the confirming re-read",
  );
  deps.onWork?.();
  return true;
}

type Prepared = { id: string; event: Stripe.Event } & (
  | { fresh: Fresh }
  | { failure: NonNullable<ReturnType<typeof permanentReadFailure>> }
);

/**
 * Applies every event queued for `queueKey`, oldest first, from one re-read of Stripe taken after
 * they were all recorded (so it is at least as new as each of them). Throws on a passing failure
 * (Stripe or the database): the worker retries with backoff, the events stay queued.
 */
export async function applyQueuedEvents(
  deps: BillingDeps,
  queueKey: string,
): Promise<{ applied: number; reads: number }> {
  const log = deps.log.child({ module: "billing", queueKey });
  const rows = await deps.db.stripeEvent.findMany({
    where: { queueKey, status: "queued" },
    orderBy: [{ created: "asc" }, { receivedAt: "asc" }, { id: "asc" }],
    select: { id: true, payload: true },
  });
  if (rows.length === 0) return { applied: 0, reads: 0 };
  // Taken before the reads: a read that started later cannot hold an older state.
  const fetchedAt = deps.clock.now();
  const reads = onceEach(deps.billing);
  const prepared: Prepared[] = await Promise.all(
    rows.map(async (row): Promise<Prepared> => {
      const event = row.payload as unknown as Stripe.Event;
      try {
        return { id: row.id, event, fresh: await readFresh({ db: deps.db, billing: reads }, event) };
      } catch (err) {
        const failure = permanentReadFailure(err);
        if (!failure) throw err;
        return { id: row.id, event, failure };
      }
    }),
  );
  const outcomes = await deps.db.$transaction(
    async (tx) => {
      await lockKey(tx, queueKey);
      // Another process that took this key over (a lease that ran out) may have applied some.
      const still = new Set(
        (
          await tx.$queryRaw<{ id: string }[]>`
            SELECT id FROM stripe_event WHERE id IN (${Prisma.join(rows.map((r) => r.id))}) AND status = 'queued'
            FOR UPDATE`
        ).map((r) => r.id),
      );
      const done: { p: Prepared; status: string; outcome: string; memberId?: string | undefined }[] = [];
      for (const p of prepared) {
        if (!still.has(p.id)) continue;
        const now = deps.clock.now();
        if ("failure" in p) {
          const f = p.failure;
          const outcome = `failed: Stripe answered ${f.status}${f.code ? ` ${f.code}` : ""} to ${f.method}: ${f.message}`;
          await tx.stripeEvent.update({
            where: { id: p.id },
            data: {
              status: "failed",
              outcome: outcome.slice(0, 1000),
              payload: Prisma.DbNull,
              processedAt: now,
            },
          });
          done.push({ p, status: "failed", outcome });
          continue;
        }
        const elog = log.child({ stripeEventId: p.id, type: p.event.type });
        const r = await applyFresh(tx, p.fresh, p.event, fetchedAt, elog);
        if (p.event.type === "checkout.session.completed") {
          // A paid page is never offered again to a fan who presses join once more.
          await tx.checkoutSession.updateMany({
            where: { id: p.event.data.object.id, completedAt: null },
            data: { completedAt: fetchedAt },
          });
        }
        const status = r.status === "ignored" ? "ignored" : "applied";
        await tx.stripeEvent.update({
          where: { id: p.id },
          data: { status, outcome: r.outcome.slice(0, 1000), payload: Prisma.DbNull, processedAt: now },
        });
        done.push({ p, status, outcome: r.outcome, memberId: r.memberId });
      }
      return done;
    },
    { timeout: 30_000, maxWait: 30_000 },
  );
  for (const o of outcomes) {
    const elog = log.child({ stripeEventId: o.p.id, type: o.p.event.type });
    if ("failure" in o.p) {
      const f = o.p.failure;
      elog.error(
        {
          event: "stripe.event.failed",
          method: f.method,
          status: f.status,
          code: f.code ?? null,
          reason: f.message,
        },
        `event not applied, for good (${failureHint(f)}); reconciliation will compare the ledger with Stripe again`,
      );
    } else {
      elog.info(
        { event: "stripe.event.applied", status: o.status, memberId: o.memberId ?? null, outcome: o.outcome },
        o.outcome,
      );
    }
  }
  deps.onWork?.();
  return { applied: outcomes.length, reads: reads.calls() };
}

/**
 * The worker that applies queued Stripe events, in every process: one task per queue key, claimed
 * with FOR UPDATE SKIP LOCKED (several processes on one PostgreSQL never work on the same
 * customer at once), retried with backoff while Stripe or the database fails (for days, as Stripe
 * would have), polled every few seconds besides being woken when an event is recorded.
 * `concurrency`: customers in progress at once; their re-reads wait in the process's Stripe budget.
 */
export function createStripeEventWorker(opts: {
  deps: BillingDeps;
  owner: string;
  clock?: Clock;
  concurrency?: number;
  leaseMs?: number;
  idleMs?: number;
}): QueueWorker {
  const log = opts.deps.log.child({ module: "stripe-events" });
  return createQueueWorker<TaskRow>({
    name: "stripe-events",
    queue: createLeaseQueue(opts.deps.db, "task"),
    log: opts.deps.log,
    owner: opts.owner,
    ...(opts.clock ? { clock: opts.clock } : {}),
    where: Prisma.sql`kind = ${STRIPE_EVENTS_TASK}`,
    concurrency: opts.concurrency ?? 32,
    ...(opts.leaseMs ? { leaseMs: opts.leaseMs } : {}),
    idleMs: opts.idleMs ?? 5_000,
    // Stripe retries a webhook for three days; so does the worker (1 s doubling up to 10 min).
    maxAttempts: 500,
    retryBaseMs: 1_000,
    maxRetryDelayMs: 600_000,
    handle: async (row): Promise<JobResult> => {
      const queueKey = (row.payload as { queueKey?: unknown }).queueKey;
      if (typeof queueKey !== "string") return { outcome: "dead", error: "task without a queue key" };
      const r = await applyQueuedEvents(opts.deps, queueKey);
      return { outcome: "done", note: `${r.applied} event(s), ${r.reads} Stripe read(s)` };
    },
    settled: async (row, result, state) => {
      if (state === "done" || state === "superseded") {
        log.debug(
          {
            event: "stripe.events.settled",
            key: row.key,
            state,
            note: result.outcome === "done" ? result.note : undefined,
          },
          `${row.key}: ${state}`,
        );
        return;
      }
      const error = result.outcome === "done" ? undefined : result.error;
      log[state === "dead" ? "error" : "warn"](
        {
          event: state === "dead" ? "stripe.events.dead" : "stripe.events.retry",
          key: row.key,
          attempt: row.attempts,
          error,
        },
        state === "dead"
          ? `${row.key}: Stripe events left queued after ${row.attempts} attempts; the next event or reconciliation retries them`
          : `${row.key}: could not apply the queued Stripe events (Stripe or the database failing); retrying with backoff`,
      );
    },
  });
}

/** The Stripe events acknowledged and not applied yet (the launch bench and the tests wait on it). */
export async function queuedStripeEvents(db: Db): Promise<number> {
  return db.stripeEvent.count({ where: { status: "queued" } });
}
