/**
 * Membership rules: from what Stripe says about a fan's subscription (or lifetime purchase) to
 * whether the fan is owed access now, why, and when that answer changes by itself.
 *
 * Pure: no I/O, no clock (the caller passes `now`). Every rule is a GIVEN/THEN in
 * test/unit/core/membership.test.ts.
 */

/** Stripe's subscription statuses, plus "lifetime" for a one-time purchase. */
export type BillingStatus =
  | "trialing"
  | "active"
  | "past_due"
  | "canceled"
  | "unpaid"
  | "incomplete"
  | "incomplete_expired"
  | "paused"
  | "lifetime";

export const BILLING_STATUSES: readonly BillingStatus[] = [
  "trialing",
  "active",
  "past_due",
  "canceled",
  "unpaid",
  "incomplete",
  "incomplete_expired",
  "paused",
  "lifetime",
];

export function isBillingStatus(s: string): s is BillingStatus {
  return (BILLING_STATUSES as readonly string[]).includes(s);
}

/** A payment taken back: a full refund, or a dispute that is open or lost. Won disputes lift it. */
export type HoldReason = "refunded" | "disputed";

export interface BillingSnapshot {
  status: BillingStatus;
  /** End of the period already paid for (null for lifetime). */
  currentPeriodEnd: Date | null;
  cancelAtPeriodEnd: boolean;
  /** When the subscription first became past_due in the current episode (null otherwise). */
  pastDueSince: Date | null;
  /** Open holds on this subscription's payments. */
  holds: readonly HoldReason[];
  /**
   * Stripe's collection is paused (`pause_collection`), with the creator's choice in force when the
   * pause began: whether the fan keeps access during it. Null: not paused.
   */
  pause: { keepsAccess: boolean } | null;
}

export type AccessReason =
  | "trialing"
  | "active"
  | "lifetime"
  | "past_due_grace"
  | "canceling_until_period_end"
  | "past_due_grace_over"
  | "period_ended"
  | "canceled"
  | "unpaid"
  | "incomplete"
  | "incomplete_expired"
  | "paused"
  | "collection_paused"
  | "refunded"
  | "disputed";

export type Entitlement =
  | {
      entitled: true;
      reason: AccessReason;
      /** When the answer flips by itself unless an event comes first (grace or period end). */
      reviewAt: Date | null;
      /** Past due inside the grace period: remind the fan to fix their payment. */
      remind: boolean;
    }
  | { entitled: false; reason: AccessReason; reviewAt: null; remind: false };

export interface MembershipPolicy {
  /** How long a past_due subscription keeps access. The creator sets it; default 3 days. */
  graceMs: number;
}

export const DEFAULT_GRACE_DAYS = 3;
export const DAY_MS = 24 * 60 * 60 * 1000;

function yes(reason: AccessReason, reviewAt: Date | null = null, remind = false): Entitlement {
  return { entitled: true, reason, reviewAt, remind };
}
function no(reason: AccessReason): Entitlement {
  return { entitled: false, reason, reviewAt: null, remind: false };
}

/** The statuses a paused collection takes access from (the others owe none, or are lifetime). */
export const PAUSABLE_STATUSES: readonly BillingStatus[] = ["trialing", "active", "past_due"];

/** Whether one subscription (or lifetime purchase) owes its tier's access now. */
export function entitlementOf(s: BillingSnapshot, policy: MembershipPolicy, now: Date): Entitlement {
  // Money taken back beats every status: revoke at once.
  if (s.holds.includes("disputed")) return no("disputed");
  if (s.holds.includes("refunded")) return no("refunded");

  // Collection paused by the fan (the creator allows it): access goes unless the creator chose that
  // it is kept; kept, the usual rules go on (a pause does not outlast a cancellation or a failure).
  if (s.pause && !s.pause.keepsAccess && PAUSABLE_STATUSES.includes(s.status)) return no("collection_paused");

  switch (s.status) {
    case "lifetime":
      return yes("lifetime");
    case "trialing":
    case "active": {
      const base: AccessReason = s.status === "trialing" ? "trialing" : "active";
      if (!s.cancelAtPeriodEnd) return yes(base);
      // Cancel at period end: keep access until the paid period ends. Stripe flips the status to
      // canceled then; if that event never comes, the period end still decides.
      if (s.currentPeriodEnd === null) return yes("canceling_until_period_end");
      if (now.getTime() >= s.currentPeriodEnd.getTime()) return no("period_ended");
      return yes("canceling_until_period_end", s.currentPeriodEnd);
    }
    case "past_due": {
      const since = s.pastDueSince ?? now;
      const graceEnd = new Date(since.getTime() + policy.graceMs);
      if (now.getTime() >= graceEnd.getTime()) return no("past_due_grace_over");
      return yes("past_due_grace", graceEnd, true);
    }
    case "canceled":
      return no("canceled");
    case "unpaid":
      return no("unpaid");
    case "incomplete":
      // The first payment has not gone through yet: nothing was paid, nothing is owed.
      return no("incomplete");
    case "incomplete_expired":
      return no("incomplete_expired");
    case "paused":
      return no("paused");
  }
}

/**
 * The moment a subscription entered past_due, carried across updates: set when it becomes
 * past_due, kept while it stays so, cleared when it leaves.
 */
export function nextPastDueSince(
  previous: { status: BillingStatus; pastDueSince: Date | null } | null,
  nextStatus: BillingStatus,
  now: Date,
): Date | null {
  if (nextStatus !== "past_due") return null;
  if (previous?.status === "past_due" && previous.pastDueSince) return previous.pastDueSince;
  return now;
}
