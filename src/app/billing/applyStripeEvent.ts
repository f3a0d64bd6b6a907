import type Stripe from "stripe";
import { isUniqueViolation } from "../db.ts";
import { applyFresh } from "./apply.ts";
import { foreignEventReason, HANDLED_EVENT_TYPES } from "./eventTypes.ts";
import { type Fresh, failureHint, permanentReadFailure, readFresh } from "./readFresh.ts";
import type { ApplyResult, BillingDeps } from "./types.ts";

class Duplicate extends Error {}

/**
 * Applies one verified Stripe event to the ledger. The event is recorded by id in the same
 * transaction as its effect, so a replay changes nothing; the state applied is Stripe's current
 * state of the object (re-read), so order of arrival never matters. Throws when Stripe or the
 * database fails: the webhook answers 5xx and Stripe retries.
 */
export async function applyStripeEvent(deps: BillingDeps, event: Stripe.Event): Promise<ApplyResult> {
  const log = deps.log.child({ module: "billing", stripeEventId: event.id, type: event.type });
  if (!HANDLED_EVENT_TYPES.has(event.type) && foreignEventReason(event, deps.livemode) === null)
    return { status: "ignored", outcome: `type ${event.type} not handled` };
  const seen = await deps.db.stripeEvent.findUnique({
    where: { id: event.id },
    select: { status: true, outcome: true },
  });
  if (seen) {
    log.info(
      { event: "stripe.event.duplicate", previousStatus: seen.status },
      `event already processed (${seen.status})`,
    );
    return { status: "duplicate", outcome: "already processed" };
  }

  const foreign = foreignEventReason(event, deps.livemode);
  if (foreign) {
    // Recorded, so that a replay is answered from the record; never applied.
    const recorded = await recordUnapplied(deps, event, "ignored", `ignored: ${foreign}`);
    if (recorded)
      log.warn(
        {
          event: "stripe.event.foreign",
          livemode: event.livemode,
          account: event.account ?? null,
          reason: foreign,
        },
        `signed event ignored: ${foreign}`,
      );
    return recorded
      ? { status: "ignored", outcome: foreign }
      : { status: "duplicate", outcome: "already processed" };
  }

  // Taken before the reads: a read that started later cannot hold an older state.
  const fetchedAt = deps.clock.now();
  let fresh: Fresh;
  try {
    fresh = await readFresh(deps, event);
  } catch (err) {
    const permanent = permanentReadFailure(err);
    if (!permanent) throw err;
    const reason = `Stripe answered ${permanent.status}${permanent.code ? ` ${permanent.code}` : ""} to ${permanent.method}: ${permanent.message}`;
    const recorded = await recordUnapplied(deps, event, "failed", `failed: ${reason}`);
    if (recorded)
      log.error(
        {
          event: "stripe.event.failed",
          method: permanent.method,
          status: permanent.status,
          code: permanent.code ?? null,
          reason: permanent.message,
        },
        `event not applied, for good (${failureHint(permanent)}); reconciliation will compare the ledger with Stripe again`,
      );
    return recorded
      ? { status: "failed", outcome: reason }
      : { status: "duplicate", outcome: "already processed" };
  }

  try {
    const result = await deps.db.$transaction(
      async (tx) => {
        try {
          await tx.stripeEvent.create({
            data: {
              id: event.id,
              type: event.type,
              created: new Date(event.created * 1000),
              objectId: objectIdOf(event),
            },
          });
        } catch (err) {
          if (isUniqueViolation(err)) throw new Duplicate();
          throw err;
        }
        const r = await applyFresh(tx, fresh, event, fetchedAt, log);
        if (event.type === "checkout.session.completed") {
          // A paid page is never offered again to a fan who presses join once more.
          await tx.checkoutSession.updateMany({
            where: { id: event.data.object.id, completedAt: null },
            data: { completedAt: fetchedAt },
          });
        }
        await tx.stripeEvent.update({
          where: { id: event.id },
          data: { outcome: r.outcome.slice(0, 1000), status: r.status === "ignored" ? "ignored" : "applied" },
        });
        return r;
      },
      { timeout: 30_000, maxWait: 30_000 },
    );
    log.info(
      { event: "stripe.event.applied", memberId: result.memberId, outcome: result.outcome },
      result.outcome,
    );
    deps.onWork?.();
    return result;
  } catch (err) {
    if (err instanceof Duplicate) {
      log.info({ event: "stripe.event.duplicate" }, "event processed concurrently by another delivery");
      return { status: "duplicate", outcome: "already processed" };
    }
    throw err;
  }
}

/** Records an event that changes nothing; false when another delivery recorded it first. */
async function recordUnapplied(
  deps: BillingDeps,
  event: Stripe.Event,
  status: "ignored" | "failed",
  outcome: string,
): Promise<boolean> {
  try {
    await deps.db.stripeEvent.create({
      data: {
        id: event.id,
        type: event.type,
        created: new Date(event.created * 1000),
        objectId: objectIdOf(event),
        status,
        outcome: outcome.slice(0, 1000),
      },
    });
    return true;
  } catch (err) {
    if (isUniqueViolation(err)) return false;
    throw err;
  }
}

function objectIdOf(event: Stripe.Event): string | null {
  const obj = event.data.object as { id?: unknown };
  return typeof obj.id === "string" ? obj.id : null;
}
