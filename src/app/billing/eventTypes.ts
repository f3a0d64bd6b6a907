import type Stripe from "stripe";

/** The event types tribegate acts on; every other type is answered 200 and ignored. */
export const HANDLED_EVENT_TYPES: ReadonlySet<string> = new Set([
  "checkout.session.completed",
  "checkout.session.async_payment_succeeded",
  "customer.subscription.created",
  "customer.subscription.updated",
  "customer.subscription.deleted",
  "customer.subscription.paused",
  "customer.subscription.resumed",
  "customer.subscription.trial_will_end",
  "invoice.paid",
  "invoice.payment_failed",
  "charge.refunded",
  "charge.dispute.created",
  "charge.dispute.updated",
  "charge.dispute.closed",
  "customer.deleted",
]);

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
