import type Stripe from "stripe";
import { isBillingStatus, nextPastDueSince } from "../../core/membership.ts";
import { PlatformError } from "../../errors.ts";
import type { Logger } from "../../log.ts";
import { type Db, isUniqueViolation, type Tx } from "../db.ts";
import { type SyncContext, syncMemberAccess } from "../membership/syncMemberAccess.ts";
import { scheduleTaskOnce } from "../tasks.ts";
import type { Clock } from "../worker.ts";
import type { Billing, SubscriptionState } from "./billing.ts";

/** The event types tribegate acts on; every other type is answered 200 and ignored. */
export const HANDLED_EVENT_TYPES: ReadonlySet<string> = new Set([
  "checkout.session.completed",
  "checkout.session.async_payment_succeeded",
  "customer.subscription.created",
  "customer.subscription.updated",
  "customer.subscription.deleted",
  "customer.subscription.paused",
  "customer.subscription.resumed",
  "invoice.paid",
  "invoice.payment_failed",
  "charge.refunded",
  "charge.dispute.created",
  "charge.dispute.updated",
  "charge.dispute.closed",
  "customer.deleted",
]);

/** Metadata keys tribegate puts on the customers, sessions and subscriptions it creates. */
export const META = {
  memberId: "tribegate_member_id",
  tierId: "tribegate_tier_id",
  priceId: "tribegate_price_id",
  platform: "tribegate_platform",
  platformUserId: "tribegate_platform_user_id",
} as const;

export interface BillingDeps {
  db: Db;
  billing: Billing;
  clock: Clock;
  log: Logger;
  /** Called after a commit that recorded access jobs or tasks, to wake the workers. */
  onWork?: () => void;
  /**
   * The mode of the API key (sk_live_/rk_live_ → true): a webhook from the other mode is not about
   * this shop. Unset (reconciliation, tests of the use case alone): not checked.
   */
  livemode?: boolean;
}

export type ApplyResult = {
  status: "applied" | "duplicate" | "ignored" | "failed";
  outcome: string;
  memberId?: string;
};

/**
 * Why a signed event is not about this Stripe account, or null when it is. A Connect event (it
 * carries `account`) is about a connected account, not the creator's shop; an event of the other
 * mode (test vs live) is about the other half of the account. Neither may touch the ledger.
 */
export function foreignEventReason(
  event: Pick<Stripe.Event, "livemode"> & { account?: unknown },
  livemode: boolean | undefined,
): string | null {
  if (typeof event.account === "string" && event.account !== "")
    return `event of the connected account ${event.account}, not of this account`;
  if (livemode !== undefined && event.livemode !== livemode)
    return `${event.livemode ? "live" : "test"}-mode event, but the API key is a ${livemode ? "live" : "test"}-mode key`;
  return null;
}

/**
 * A re-read that Stripe refused for good: the object is gone (404 / resource_missing), the key may
 * not read it (403) or the key is not valid (401). Retrying for three days cannot change that.
 */
function permanentReadFailure(err: unknown): PlatformError | null {
  if (!(err instanceof PlatformError) || err.platform !== "stripe") return null;
  return [401, 403, 404].includes(err.status) || err.code === "resource_missing" ? err : null;
}

function failureHint(err: PlatformError): string {
  if (err.status === 401) return "Stripe does not accept the API key: check STRIPE_SECRET_KEY";
  if (err.status === 403)
    return `the API key may not call ${err.method}: give the restricted key read access to it, or use a secret key`;
  return "the object no longer exists in Stripe";
}

/** Dispute statuses under which the money is not (or no longer) taken back. */
const DISPUTE_SETTLED_FOR_CREATOR = new Set(["won", "warning_closed", "prevented"]);

/** Stripe's current state of what the event points at, read before the transaction. */
type Fresh =
  | {
      kind: "customer";
      customerId: string;
      subs: SubscriptionState[];
      metadata: Record<string, string>;
      /** From a Checkout Session: its metadata may attach the customer to the member it names. */
      claim: boolean;
    }
  | {
      kind: "lifetime";
      customerId: string;
      sessionId: string;
      priceId: string;
      paymentIntentId: string | null;
      amount: number;
      currency: string;
      metadata: Record<string, string>;
      claim: boolean;
    }
  | {
      kind: "hold";
      customerId: string | null;
      holdId: string;
      reason: "refunded" | "disputed";
      active: boolean;
      chargeId: string;
      /** A lifetime purchase's payment intent, or the subscription the payment paid an invoice of. */
      paymentIntentId: string | null;
      subscriptionId: string | null;
      /** Only meaningful when the hold is active and the payment paid a subscription invoice. */
    }
  | { kind: "customer_deleted"; customerId: string }
  | { kind: "nothing"; why: string };

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

const idOf = (x: string | { id: string } | null | undefined): string | null =>
  x == null ? null : typeof x === "string" ? x : x.id;

async function readFresh(deps: BillingDeps, event: Stripe.Event): Promise<Fresh> {
  switch (event.type) {
    case "checkout.session.completed":
    case "checkout.session.async_payment_succeeded": {
      const s = event.data.object;
      const customerId = idOf(s.customer);
      if (!customerId) return { kind: "nothing", why: `session ${s.id} has no customer` };
      if (s.mode === "payment") {
        if (s.payment_status !== "paid")
          return { kind: "nothing", why: `session ${s.id} not paid yet (${s.payment_status})` };
        return {
          kind: "lifetime",
          customerId,
          sessionId: s.id,
          priceId: s.metadata?.[META.priceId] ?? "",
          paymentIntentId: idOf(s.payment_intent),
          amount: s.amount_total ?? 0,
          currency: s.currency ?? "usd",
          claim: true,
          metadata: {
            ...s.metadata,
            ...(s.client_reference_id ? { client_reference_id: s.client_reference_id } : {}),
          },
        };
      }
      if (s.mode !== "subscription") return { kind: "nothing", why: `session ${s.id} mode ${s.mode}` };
      return {
        kind: "customer",
        customerId,
        subs: await deps.billing.customerSubscriptions(customerId),
        claim: true,
        metadata: {
          ...s.metadata,
          ...(s.client_reference_id ? { client_reference_id: s.client_reference_id } : {}),
        },
      };
    }
    case "customer.subscription.created":
    case "customer.subscription.updated":
    case "customer.subscription.deleted":
    case "customer.subscription.paused":
    case "customer.subscription.resumed": {
      const sub = event.data.object;
      const customerId = idOf(sub.customer) as string;
      return {
        kind: "customer",
        customerId,
        subs: await deps.billing.customerSubscriptions(customerId),
        metadata: { ...sub.metadata },
        claim: false,
      };
    }
    case "invoice.paid":
    case "invoice.payment_failed": {
      const inv = event.data.object;
      const customerId = idOf(inv.customer);
      if (!customerId) return { kind: "nothing", why: `invoice ${inv.id} has no customer` };
      return {
        kind: "customer",
        customerId,
        subs: await deps.billing.customerSubscriptions(customerId),
        metadata: {},
        claim: false,
      };
    }
    case "charge.refunded": {
      const charge = await deps.billing.charge(event.data.object.id);
      return {
        kind: "hold",
        customerId: charge.customerId,
        holdId: `refund:${charge.id}`,
        reason: "refunded",
        active: charge.refunded,
        chargeId: charge.id,
        paymentIntentId: charge.paymentIntentId,
        subscriptionId: await subscriptionOfCharge(deps, charge.paymentIntentId),
      };
    }
    case "charge.dispute.created":
    case "charge.dispute.updated":
    case "charge.dispute.closed": {
      const dispute = await deps.billing.dispute(event.data.object.id);
      const charge = await deps.billing.charge(dispute.chargeId);
      return {
        kind: "hold",
        customerId: charge.customerId,
        holdId: `dispute:${dispute.id}`,
        reason: "disputed",
        active: !DISPUTE_SETTLED_FOR_CREATOR.has(dispute.status),
        chargeId: charge.id,
        paymentIntentId: charge.paymentIntentId,
        subscriptionId: await subscriptionOfCharge(deps, charge.paymentIntentId),
      };
    }
    case "customer.deleted":
      return { kind: "customer_deleted", customerId: event.data.object.id };
    default:
      return { kind: "nothing", why: `type ${event.type} not handled` };
  }
}

/** A lifetime purchase is found in the ledger by its payment intent; a subscription payment through its invoice. */
async function subscriptionOfCharge(
  deps: BillingDeps,
  paymentIntentId: string | null,
): Promise<string | null> {
  if (!paymentIntentId) return null;
  const lifetime = await deps.db.subscription.findFirst({ where: { paymentIntentId }, select: { id: true } });
  if (lifetime) return lifetime.id;
  return deps.billing.subscriptionOfPayment(paymentIntentId);
}

/**
 * The member a Stripe customer belongs to, or null: a customer the ledger does not know is not a
 * member, whatever an event says (the bot creates every member's customer, see members.ts). The one
 * way a customer gets attached is a Checkout Session the bot made (`claim`): its metadata names the
 * member, and only a member without a customer yet takes it.
 */
async function findMember(
  tx: Tx,
  customerId: string,
  metadata: Record<string, string>,
  claim: boolean,
  log: Logger,
): Promise<string | null> {
  const byCustomer = await tx.member.findUnique({
    where: { stripeCustomerId: customerId },
    select: { id: true },
  });
  if (byCustomer) return byCustomer.id;
  const claimedId = claim ? metadata[META.memberId] : undefined;
  if (claimedId) {
    const byMeta = await tx.member.findUnique({ where: { id: claimedId } });
    if (byMeta && byMeta.stripeCustomerId === null) {
      await tx.member.update({ where: { id: byMeta.id }, data: { stripeCustomerId: customerId } });
      await tx.memberHistory.create({
        data: {
          memberId: byMeta.id,
          actor: "stripe",
          action: "member.customer",
          toState: customerId,
          reason: `Stripe customer ${customerId} attached by the member's own checkout`,
        },
      });
      log.info(
        { event: "stripe.customer_attached", customerId, memberId: byMeta.id },
        "the member's checkout attached its Stripe customer",
      );
      return byMeta.id;
    }
    log.warn(
      {
        event: "stripe.unknown_customer",
        customerId,
        claimedMemberId: claimedId,
        why: byMeta ? "the member already has another customer" : "no such member",
      },
      "checkout names a member that cannot take this customer: nothing recorded",
    );
    return null;
  }
  log.warn(
    { event: "stripe.unknown_customer", customerId },
    "customer unknown to the ledger (not created by tribegate): nothing recorded",
  );
  return null;
}

async function applyFresh(
  tx: Tx,
  fresh: Fresh,
  event: Stripe.Event,
  fetchedAt: Date,
  log: Logger,
): Promise<ApplyResult> {
  const now = fetchedAt;
  const ctx = { actor: "stripe", reason: `${event.type} ${event.id}`, stripeEventId: event.id, now };
  switch (fresh.kind) {
    case "nothing":
      return { status: "ignored", outcome: fresh.why };

    case "customer_deleted": {
      const member = await tx.member.findUnique({ where: { stripeCustomerId: fresh.customerId } });
      if (!member) return { status: "ignored", outcome: `customer ${fresh.customerId} unknown` };
      await tx.member.update({ where: { id: member.id }, data: { deletedAt: now } });
      await tx.subscription.updateMany({
        where: { memberId: member.id, status: { notIn: ["canceled", "incomplete_expired"] } },
        data: { status: "canceled", endedAt: now, syncedAt: now },
      });
      await tx.memberHistory.create({
        data: {
          memberId: member.id,
          actor: "stripe",
          action: "member.deleted",
          reason: `customer ${fresh.customerId} deleted in Stripe`,
          stripeEventId: event.id,
        },
      });
      const r = await syncMemberAccess(tx, member.id, ctx);
      return { status: "applied", outcome: `customer deleted; ${r.revokes} revoke(s)`, memberId: member.id };
    }

    case "customer":
    case "lifetime": {
      const states: SubscriptionState[] =
        fresh.kind === "customer"
          ? fresh.subs
          : [
              {
                id: fresh.sessionId,
                customerId: fresh.customerId,
                status: "lifetime",
                priceId: fresh.priceId,
                amount: fresh.amount,
                currency: fresh.currency,
                interval: null,
                currentPeriodEnd: null,
                cancelAtPeriodEnd: false,
                startedAt: new Date(event.created * 1000),
                endedAt: null,
                metadata: fresh.metadata,
              },
            ];
      return applyCustomerStates(
        tx,
        {
          customerId: fresh.customerId,
          metadata: fresh.metadata,
          states,
          paymentIntentId: fresh.kind === "lifetime" ? fresh.paymentIntentId : null,
          claim: fresh.claim,
        },
        fetchedAt,
        ctx,
        log,
      );
    }

    case "hold": {
      if (!fresh.subscriptionId) {
        return {
          status: "applied",
          outcome: `${fresh.reason} on charge ${fresh.chargeId}: no membership payment found`,
        };
      }
      const sub = await tx.subscription.findUnique({ where: { id: fresh.subscriptionId } });
      if (!sub) {
        return {
          status: "applied",
          outcome: `${fresh.reason} on charge ${fresh.chargeId}: subscription ${fresh.subscriptionId} not in the ledger`,
        };
      }
      const existing = await tx.paymentHold.findUnique({ where: { id: fresh.holdId } });
      const liftedAt = fresh.active ? null : (existing?.liftedAt ?? now);
      if (!existing && !fresh.active) {
        return {
          status: "applied",
          outcome: `${fresh.reason} on charge ${fresh.chargeId} does not take access back`,
          memberId: sub.memberId,
        };
      }
      await tx.paymentHold.upsert({
        where: { id: fresh.holdId },
        create: {
          id: fresh.holdId,
          subscriptionId: sub.id,
          reason: fresh.reason,
          chargeId: fresh.chargeId,
          liftedAt,
        },
        update: { liftedAt },
      });
      const wasActive = existing ? existing.liftedAt === null : false;
      if (wasActive !== fresh.active) {
        await tx.memberHistory.create({
          data: {
            memberId: sub.memberId,
            actor: "stripe",
            action: fresh.active ? "hold.placed" : "hold.lifted",
            subscriptionId: sub.id,
            toState: fresh.reason,
            reason: fresh.active
              ? `${fresh.reason === "refunded" ? "full refund" : "dispute opened"} on charge ${fresh.chargeId}`
              : `dispute settled in the creator's favour on charge ${fresh.chargeId}`,
            stripeEventId: event.id,
          },
        });
      }
      const r = await syncMemberAccess(tx, sub.memberId, ctx);
      return {
        status: "applied",
        outcome: `${fresh.reason} hold ${fresh.active ? "active" : "lifted"} on ${sub.id}; ${r.grants} grant(s), ${r.revokes} revoke(s)`,
        memberId: sub.memberId,
      };
    }
  }
}

/**
 * Applies Stripe's current state of a customer's subscriptions (or a lifetime purchase) to the
 * ledger and re-plans the member's access. Used by webhooks and by reconciliation.
 */
export async function applyCustomerStates(
  tx: Tx,
  input: {
    customerId: string;
    metadata: Record<string, string>;
    states: readonly SubscriptionState[];
    paymentIntentId: string | null;
    /** The metadata is a Checkout Session's the bot made: it may attach the customer to its member. */
    claim?: boolean;
  },
  fetchedAt: Date,
  ctx: SyncContext,
  log: Logger,
): Promise<ApplyResult> {
  const memberId = await findMember(tx, input.customerId, input.metadata, input.claim ?? false, log);
  if (memberId === null) {
    return {
      status: "ignored",
      outcome: `customer ${input.customerId} unknown to the ledger: not a tribegate member, nothing recorded`,
    };
  }
  const member = { id: memberId };
  const changes: string[] = [];
  const becamePastDue: string[] = [];
  let plannable = false;
  for (const s of input.states) {
    const change = await upsertSubscription(tx, member.id, s, input.paymentIntentId, fetchedAt, ctx, log);
    if (change) {
      if (change.summary) changes.push(change.summary);
      if (change.becamePastDue) becamePastDue.push(s.id);
      plannable = true;
    }
  }
  // Nothing that access depends on changed (a second event about the same checkout, a replay with
  // a new id): the ledger's jobs already match, so skip re-planning.
  const r = plannable ? await syncMemberAccess(tx, member.id, ctx) : { grants: 0, revokes: 0 };
  for (const subId of becamePastDue) {
    const sub = await tx.subscription.findUnique({ where: { id: subId } });
    if (!sub?.pastDueSince) continue;
    await scheduleTaskOnce(tx, {
      key: `notify:payment_failed:${subId}:${sub.pastDueSince.toISOString()}`,
      kind: "member.notify",
      payload: { memberId: member.id, template: "payment_failed", subscriptionId: subId },
      runAfter: ctx.now,
      now: ctx.now,
    });
  }
  const summary = changes.length ? changes.join("; ") : "no subscription change";
  return {
    status: "applied",
    outcome: `${summary}; ${r.grants} grant(s), ${r.revokes} revoke(s)`,
    memberId: member.id,
  };
}

/** Writes Stripe's state of one subscription unless a newer read is already stored. */
async function upsertSubscription(
  tx: Tx,
  memberId: string,
  s: SubscriptionState,
  paymentIntentId: string | null,
  fetchedAt: Date,
  ctx: SyncContext,
  log: Logger,
): Promise<{ summary: string; becamePastDue: boolean } | null> {
  const existing = await tx.subscription.findUnique({ where: { id: s.id } });
  if (existing && existing.syncedAt.getTime() > fetchedAt.getTime()) return null;
  const price = s.priceId ? await tx.tierPrice.findUnique({ where: { stripePriceId: s.priceId } }) : null;
  if (!price) {
    log.warn(
      { event: "stripe.unknown_price", subscriptionId: s.id, priceId: s.priceId },
      "subscription to a price no tier sells: recorded, owed nothing",
    );
  }
  const status = isBillingStatus(s.status) ? s.status : "canceled";
  const prev =
    existing && isBillingStatus(existing.status)
      ? { status: existing.status, pastDueSince: existing.pastDueSince }
      : null;
  const pastDueSince = nextPastDueSince(prev, status, fetchedAt);
  const data = {
    memberId,
    tierId: price?.tierId ?? null,
    stripePriceId: s.priceId,
    kind: status === "lifetime" ? ("lifetime" as const) : ("recurring" as const),
    status,
    currentPeriodEnd: s.currentPeriodEnd,
    cancelAtPeriodEnd: s.cancelAtPeriodEnd,
    pastDueSince,
    amount: s.amount,
    currency: s.currency,
    interval: s.interval,
    syncedAt: fetchedAt,
    startedAt: s.startedAt,
    endedAt: s.endedAt,
    ...(paymentIntentId ? { paymentIntentId } : {}),
  };
  await tx.subscription.upsert({ where: { id: s.id }, create: { id: s.id, ...data }, update: data });

  const statusChanged = existing?.status !== status;
  const tierChanged = existing !== null && existing.tierId !== data.tierId;
  const cancelChanged = existing !== null && existing.cancelAtPeriodEnd !== s.cancelAtPeriodEnd;
  const periodChanged =
    existing !== null &&
    (existing.currentPeriodEnd?.getTime() ?? null) !== (s.currentPeriodEnd?.getTime() ?? null);
  if (!statusChanged && !tierChanged && !cancelChanged)
    return periodChanged ? { summary: "", becamePastDue: false } : null;
  const parts: string[] = [];
  if (statusChanged) parts.push(`${existing?.status ?? "new"} → ${status}`);
  if (tierChanged) parts.push(`tier ${existing?.tierId ?? "none"} → ${data.tierId ?? "unknown price"}`);
  if (cancelChanged)
    parts.push(
      s.cancelAtPeriodEnd
        ? `cancels on ${s.currentPeriodEnd?.toISOString() ?? "period end"}`
        : "cancellation withdrawn",
    );
  const summary = `subscription ${s.id}: ${parts.join(", ")}`;
  await tx.memberHistory.create({
    data: {
      memberId,
      actor: ctx.actor,
      action: tierChanged && !statusChanged ? "subscription.tier" : "subscription.status",
      subscriptionId: s.id,
      fromState: existing ? `${existing.status}${existing.tierId ? ` (${existing.tierId})` : ""}` : null,
      toState: `${status}${data.tierId ? ` (${data.tierId})` : ""}`,
      reason: summary,
      stripeEventId: ctx.stripeEventId,
    },
  });
  return { summary, becamePastDue: status === "past_due" && prev?.status !== "past_due" };
}
