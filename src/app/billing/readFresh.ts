import type Stripe from "stripe";
import { PlatformError } from "../../errors.ts";
import type { Billing, SubscriptionState } from "./billing.ts";
import { META } from "./metadata.ts";
import type { BillingDeps } from "./types.ts";

/**
 * A re-read that Stripe refused for good: the object is gone (404 / resource_missing), the key may
 * not read it (403) or the key is not valid (401). Retrying for three days cannot change that.
 */
export function permanentReadFailure(err: unknown): PlatformError | null {
  if (!(err instanceof PlatformError) || err.platform !== "stripe") return null;
  return [401, 403, 404].includes(err.status) || err.code === "resource_missing" ? err : null;
}

export function failureHint(err: PlatformError): string {
  if (err.status === 401) return "Stripe does not accept the API key: check STRIPE_SECRET_KEY";
  if (err.status === 403)
    return `the API key may not call ${err.method}: give the restricted key read access to it, or use a secret key`;
  return "the object no longer exists in Stripe";
}

/** Dispute statuses under which the money is not (or no longer) taken back. */
const DISPUTE_SETTLED_FOR_CREATOR = new Set(["won", "warning_closed", "prevented"]);

/** Stripe's current state of what the event points at, read before the transaction. */
export type Fresh =
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

const idOf = (x: string | { id: string } | null | undefined): string | null =>
  x == null ? null : typeof x === "string" ? x : x.id;

/** The reads of Stripe an event's re-read makes. */
export type StripeReads = Pick<
  Billing,
  "customerSubscriptions" | "charge" | "dispute" | "subscriptionOfPayment"
>;

/**
 * The same reads, each made once per argument: the events of one customer applied together share
 * one re-read of its subscriptions (and of a charge or dispute named twice).
 */
export function onceEach(billing: StripeReads): StripeReads & { calls(): number } {
  const cache = new Map<string, Promise<unknown>>();
  let calls = 0;
  const once =
    <A extends string, R>(name: string, read: (arg: A) => Promise<R>) =>
    (arg: A): Promise<R> => {
      const key = `${name}:${arg}`;
      let p = cache.get(key) as Promise<R> | undefined;
      if (!p) {
        calls++;
        p = read(arg);
        cache.set(key, p);
      }
      return p;
    };
  return {
    customerSubscriptions: once("subs", (id: string) => billing.customerSubscriptions(id)),
    charge: once("charge", (id: string) => billing.charge(id)),
    dispute: once("dispute", (id: string) => billing.dispute(id)),
    subscriptionOfPayment: once("pi", (id: string) => billing.subscriptionOfPayment(id)),
    calls: () => calls,
  };
}

/** Reads Stripe's current state of what the event points at (outside any transaction). */
export async function readFresh(
  deps: Pick<BillingDeps, "db"> & { billing: StripeReads },
  event: Stripe.Event,
): Promise<Fresh> {
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
    case "customer.subscription.resumed":
    case "customer.subscription.trial_will_end": {
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
  deps: Pick<BillingDeps, "db"> & { billing: StripeReads },
  paymentIntentId: string | null,
): Promise<string | null> {
  if (!paymentIntentId) return null;
  const lifetime = await deps.db.subscription.findFirst({ where: { paymentIntentId }, select: { id: true } });
  if (lifetime) return lifetime.id;
  return deps.billing.subscriptionOfPayment(paymentIntentId);
}
