import { describe, expect, it } from "vitest";
import { computeStats, monthlyAmount, type StatsSubscription } from "../../../src/core/stats.ts";

const now = new Date("2026-11-23T00:00:00Z");
const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000);

function sub(over: Partial<StatsSubscription>): StatsSubscription {
  return {
    memberId: "m1",
    tierId: "gold",
    status: "active",
    entitled: true,
    amount: 1000,
    currency: "eur",
    interval: "month",
    startedAt: daysAgo(100),
    endedAt: null,
    ...over,
  };
}

describe("monthlyAmount", () => {
  it("normalises to a month", () => {
    expect(monthlyAmount(1000, "month")).toBe(1000);
    expect(monthlyAmount(12000, "year")).toBe(1000);
    expect(monthlyAmount(9999, "year")).toBe(833);
    expect(monthlyAmount(5000, null)).toBe(0);
  });
});

describe("computeStats", () => {
  it("counts members per tier, trials, past due, MRR per currency, new, churned and the goal", () => {
    const stats = computeStats(
      [
        sub({ memberId: "a" }),
        sub({ memberId: "b", tierId: "silver", amount: 60000, interval: "year", currency: "usd" }),
        sub({ memberId: "c", status: "trialing", startedAt: daysAgo(2) }),
        sub({ memberId: "d", status: "past_due", startedAt: daysAgo(5) }),
        sub({ memberId: "e", status: "canceled", entitled: false, endedAt: daysAgo(3) }),
        sub({ memberId: "f", status: "canceled", entitled: false, endedAt: daysAgo(45) }),
        sub({ memberId: "g", status: "lifetime", interval: null, amount: 30000 }),
        // Member h moved from silver to gold: one member, not churned.
        sub({ memberId: "h", tierId: "silver", status: "canceled", entitled: false, endedAt: daysAgo(1) }),
        sub({ memberId: "h", tierId: "gold", startedAt: daysAgo(1) }),
      ],
      4,
      now,
    );
    expect(stats.activeMembers).toBe(6);
    expect(stats.perTier).toEqual([
      { tierId: "gold", members: 5 },
      { tierId: "silver", members: 1 },
    ]);
    expect(stats.trialing).toBe(1);
    expect(stats.pastDue).toBe(1);
    // a, d, h: 3 × 1000 eur (the trial pays nothing yet, lifetime is not recurring); b: 60000/12 usd.
    expect(stats.mrr).toEqual({ eur: 3000, usd: 5000 });
    expect(stats.newLast30Days).toBe(2); // c, d (h started 100 days ago with silver)
    expect(stats.churnedLast30Days).toBe(1); // e
    expect(stats.goal).toBe(4);
    expect(stats.goalProgress).toBe(1.5);
  });

  it("GIVEN no subscriptions THEN zeros", () => {
    expect(computeStats([], 1000, now)).toMatchObject({ activeMembers: 0, mrr: {}, goalProgress: 0 });
  });
});
