import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  BILLING_STATUSES,
  type BillingSnapshot,
  type BillingStatus,
  DAY_MS,
  entitlementOf,
  nextPastDueSince,
} from "../../../src/core/membership.ts";

const now = new Date("2026-11-23T12:00:00Z");
const policy = { graceMs: 3 * DAY_MS };
const inDays = (d: number) => new Date(now.getTime() + d * DAY_MS);

function snap(over: Partial<BillingSnapshot> = {}): BillingSnapshot {
  return {
    status: "active",
    currentPeriodEnd: inDays(20),
    cancelAtPeriodEnd: false,
    pastDueSince: null,
    holds: [],
    pause: null,
    ...over,
  };
}

describe("entitlementOf", () => {
  it("GIVEN an active subscription THEN access, nothing to review", () => {
    expect(entitlementOf(snap(), policy, now)).toEqual({
      entitled: true,
      reason: "active",
      reviewAt: null,
      remind: false,
    });
  });

  it("GIVEN a trialing subscription THEN access", () => {
    expect(entitlementOf(snap({ status: "trialing" }), policy, now)).toMatchObject({
      entitled: true,
      reason: "trialing",
    });
  });

  it("GIVEN a lifetime purchase THEN access forever", () => {
    expect(entitlementOf(snap({ status: "lifetime", currentPeriodEnd: null }), policy, now)).toMatchObject({
      entitled: true,
      reason: "lifetime",
      reviewAt: null,
    });
  });

  it("GIVEN a past_due member inside the grace period THEN access is kept, with a reminder, reviewed at grace end", () => {
    const e = entitlementOf(snap({ status: "past_due", pastDueSince: inDays(-1) }), policy, now);
    expect(e).toEqual({ entitled: true, reason: "past_due_grace", reviewAt: inDays(2), remind: true });
  });

  it("GIVEN a past_due member whose grace has run out THEN no access", () => {
    expect(entitlementOf(snap({ status: "past_due", pastDueSince: inDays(-3) }), policy, now)).toMatchObject({
      entitled: false,
      reason: "past_due_grace_over",
    });
  });

  it("GIVEN past_due with no known start THEN the grace starts now", () => {
    expect(entitlementOf(snap({ status: "past_due", pastDueSince: null }), policy, now)).toMatchObject({
      entitled: true,
      reviewAt: inDays(3),
    });
  });

  it("GIVEN a zero grace period THEN past_due revokes at once", () => {
    expect(entitlementOf(snap({ status: "past_due", pastDueSince: now }), { graceMs: 0 }, now).entitled).toBe(
      false,
    );
  });

  it.each(["canceled", "unpaid", "incomplete", "incomplete_expired", "paused"] as const)(
    "GIVEN status %s THEN no access",
    (status) => {
      expect(entitlementOf(snap({ status }), policy, now)).toEqual({
        entitled: false,
        reason: status,
        reviewAt: null,
        remind: false,
      });
    },
  );

  it.each(["active", "trialing", "past_due"] as const)(
    "GIVEN a %s subscription whose collection is paused, access lost by the creator's choice THEN no access",
    (status) => {
      expect(
        entitlementOf(
          snap({
            status,
            pastDueSince: status === "past_due" ? inDays(-1) : null,
            pause: { keepsAccess: false },
          }),
          policy,
          now,
        ),
      ).toEqual({ entitled: false, reason: "collection_paused", reviewAt: null, remind: false });
    },
  );

  it("GIVEN a paused collection, access kept by the creator's choice THEN access as if not paused", () => {
    expect(entitlementOf(snap({ pause: { keepsAccess: true } }), policy, now)).toEqual({
      entitled: true,
      reason: "active",
      reviewAt: null,
      remind: false,
    });
    // Kept access still ends with the paid period of a cancellation, and with the grace of a failure.
    expect(
      entitlementOf(
        snap({ pause: { keepsAccess: true }, cancelAtPeriodEnd: true, currentPeriodEnd: inDays(-1) }),
        policy,
        now,
      ),
    ).toMatchObject({ entitled: false, reason: "period_ended" });
    expect(
      entitlementOf(
        snap({ status: "past_due", pastDueSince: inDays(-4), pause: { keepsAccess: true } }),
        policy,
        now,
      ),
    ).toMatchObject({ entitled: false, reason: "past_due_grace_over" });
  });

  it("GIVEN a paused collection THEN a refund or dispute still takes access, and a lifetime purchase keeps it", () => {
    expect(
      entitlementOf(snap({ pause: { keepsAccess: true }, holds: ["refunded"] }), policy, now),
    ).toMatchObject({ entitled: false, reason: "refunded" });
    expect(
      entitlementOf(
        snap({ status: "lifetime", currentPeriodEnd: null, pause: { keepsAccess: false } }),
        policy,
        now,
      ),
    ).toMatchObject({ entitled: true, reason: "lifetime" });
  });

  it("GIVEN the pause ends (Stripe clears pause_collection) THEN access comes back", () => {
    const paused = snap({ pause: { keepsAccess: false } });
    expect(entitlementOf(paused, policy, now).entitled).toBe(false);
    expect(entitlementOf({ ...paused, pause: null }, policy, now)).toMatchObject({
      entitled: true,
      reason: "active",
    });
  });

  it("GIVEN cancel at period end before the end THEN access until the end, reviewed then", () => {
    expect(
      entitlementOf(snap({ cancelAtPeriodEnd: true, currentPeriodEnd: inDays(5) }), policy, now),
    ).toEqual({
      entitled: true,
      reason: "canceling_until_period_end",
      reviewAt: inDays(5),
      remind: false,
    });
  });

  it("GIVEN cancel at period end after the end (the canceled event was missed) THEN no access", () => {
    expect(
      entitlementOf(snap({ cancelAtPeriodEnd: true, currentPeriodEnd: inDays(-1) }), policy, now),
    ).toMatchObject({
      entitled: false,
      reason: "period_ended",
    });
  });

  it("GIVEN a trial set to cancel at its end THEN access until then", () => {
    expect(
      entitlementOf(
        snap({ status: "trialing", cancelAtPeriodEnd: true, currentPeriodEnd: inDays(2) }),
        policy,
        now,
      ),
    ).toMatchObject({ entitled: true, reviewAt: inDays(2) });
  });

  it("GIVEN a full refund THEN no access, whatever the status", () => {
    expect(entitlementOf(snap({ holds: ["refunded"] }), policy, now)).toMatchObject({
      entitled: false,
      reason: "refunded",
    });
    expect(entitlementOf(snap({ status: "lifetime", holds: ["refunded"] }), policy, now).entitled).toBe(
      false,
    );
  });

  it("GIVEN an open dispute THEN no access; the dispute reason wins over a refund", () => {
    expect(entitlementOf(snap({ holds: ["refunded", "disputed"] }), policy, now)).toMatchObject({
      reason: "disputed",
    });
  });

  it("PROPERTY: only trialing, active, lifetime and past_due-in-grace ever give access", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...BILLING_STATUSES),
        fc.boolean(),
        fc.integer({ min: -60, max: 60 }),
        fc.option(fc.integer({ min: -10, max: 0 }), { nil: null }),
        fc.subarray(["refunded", "disputed"] as const),
        fc.integer({ min: 0, max: 30 }),
        (status: BillingStatus, cancel, periodEndDays, pastDueDays, holds, graceDays) => {
          const s = snap({
            status,
            cancelAtPeriodEnd: cancel,
            currentPeriodEnd: inDays(periodEndDays),
            pastDueSince: pastDueDays === null ? null : inDays(pastDueDays),
            holds,
          });
          const e = entitlementOf(s, { graceMs: graceDays * DAY_MS }, now);
          if (e.entitled) {
            expect(holds).toEqual([]);
            expect(["trialing", "active", "lifetime", "past_due"]).toContain(status);
            if (e.reviewAt) expect(e.reviewAt.getTime()).toBeGreaterThan(now.getTime());
          }
          if (status === "past_due" && e.entitled) {
            expect(e.remind).toBe(true);
          }
        },
      ),
    );
  });

  it("PROPERTY: a review time, reached, flips the answer to no access", () => {
    fc.assert(
      fc.property(
        fc.constantFrom<BillingStatus>("active", "trialing", "past_due"),
        fc.boolean(),
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 0, max: 10 }),
        (status, cancel, periodEndDays, graceDays) => {
          const s = snap({
            status,
            cancelAtPeriodEnd: cancel,
            currentPeriodEnd: inDays(periodEndDays),
            pastDueSince: now,
          });
          const p = { graceMs: graceDays * DAY_MS };
          const e = entitlementOf(s, p, now);
          if (e.entitled && e.reviewAt) expect(entitlementOf(s, p, e.reviewAt).entitled).toBe(false);
        },
      ),
    );
  });
});

describe("nextPastDueSince", () => {
  it("starts the clock when a subscription becomes past_due", () => {
    expect(nextPastDueSince({ status: "active", pastDueSince: null }, "past_due", now)).toEqual(now);
    expect(nextPastDueSince(null, "past_due", now)).toEqual(now);
  });
  it("keeps the clock while it stays past_due", () => {
    expect(nextPastDueSince({ status: "past_due", pastDueSince: inDays(-2) }, "past_due", now)).toEqual(
      inDays(-2),
    );
  });
  it("clears it when the payment goes through", () => {
    expect(nextPastDueSince({ status: "past_due", pastDueSince: inDays(-2) }, "active", now)).toBeNull();
  });
});
