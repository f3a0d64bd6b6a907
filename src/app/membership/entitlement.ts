import {
  type BillingSnapshot,
  type BillingStatus,
  DAY_MS,
  entitlementOf,
  type HoldReason,
  isBillingStatus,
} from "../../core/membership.ts";

/** A subscription row as stored, with its open holds when loaded. */
export interface StoredSubscription {
  status: string;
  currentPeriodEnd: Date | null;
  cancelAtPeriodEnd: boolean;
  pastDueSince: Date | null;
  /** Stripe's collection is paused since then (null: not paused). */
  pausedSince: Date | null;
  pauseKeepsAccess: boolean;
  holds?: readonly { reason: string; liftedAt?: Date | null }[];
}

/** The core's view of a stored subscription; null for a status the rules do not know. */
export function billingSnapshotOf(s: StoredSubscription): BillingSnapshot | null {
  if (!isBillingStatus(s.status)) return null;
  return {
    status: s.status as BillingStatus,
    currentPeriodEnd: s.currentPeriodEnd,
    cancelAtPeriodEnd: s.cancelAtPeriodEnd,
    pastDueSince: s.pastDueSince,
    holds: (s.holds ?? []).filter((h) => !h.liftedAt).map((h) => h.reason as HoldReason),
    pause: s.pausedSince ? { keepsAccess: s.pauseKeepsAccess } : null,
  };
}

/** Whether a stored subscription owes access now (the one rule, src/core/membership.ts). */
export function isEntitledNow(s: StoredSubscription, graceDays: number, now: Date): boolean {
  const snapshot = billingSnapshotOf(s);
  return snapshot !== null && entitlementOf(snapshot, { graceMs: graceDays * DAY_MS }, now).entitled;
}
