import { describe, expect, it } from "vitest";
import {
  assembleStats,
  isoWeekStart,
  type LivePriceGroup,
  monthlyAmount,
  ratio,
  revenueByTier,
  type StatsAggregates,
  trendWeekStarts,
  weeklyTrend,
} from "../../../src/core/stats.ts";

const now = new Date("2026-11-25T12:00:00Z"); // a Wednesday

function live(over: Partial<LivePriceGroup>): LivePriceGroup {
  return {
    tierId: "gold",
    status: "active",
    kind: "recurring",
    currency: "eur",
    interval: "month",
    amount: 1000,
    subscriptions: 1,
    ...over,
  };
}

function aggregates(over: Partial<StatsAggregates> = {}): StatsAggregates {
  return {
    live: [],
    activeMembers: 0,
    membersPerTier: [],
    churn: { activeAtStart: 0, lost: 0, gained: 0 },
    weeks: [],
    oneOff: [],
    trials: { ended: 0, converted: 0 },
    goal: 1000,
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

describe("ISO weeks", () => {
  it("a week starts on Monday 00:00 UTC, Sunday belonging to the week before", () => {
    expect(isoWeekStart(new Date("2026-11-25T12:00:00Z")).toISOString()).toBe("2026-11-23T00:00:00.000Z");
    expect(isoWeekStart(new Date("2026-11-23T00:00:00Z")).toISOString()).toBe("2026-11-23T00:00:00.000Z");
    expect(isoWeekStart(new Date("2026-11-22T23:59:59Z")).toISOString()).toBe("2026-11-16T00:00:00.000Z");
    // Across a year: 1 January 2027 is a Friday; its ISO week began on Monday 28 December 2026.
    expect(isoWeekStart(new Date("2027-01-01T08:00:00Z")).toISOString()).toBe("2026-12-28T00:00:00.000Z");
  });

  it("the trend covers the current week and the 11 before, oldest first", () => {
    const weeks = trendWeekStarts(now);
    expect(weeks).toHaveLength(12);
    expect(weeks[11]?.toISOString()).toBe("2026-11-23T00:00:00.000Z");
    expect(weeks[0]?.toISOString()).toBe("2026-09-07T00:00:00.000Z");
  });

  it("weeks the ledger did not mention are zeros; net is joined − lost", () => {
    const trend = weeklyTrend(now, [
      { weekStart: new Date("2026-11-23T00:00:00Z"), joined: 3, lost: 5 },
      { weekStart: new Date("2026-09-07T00:00:00Z"), joined: 4, lost: 0 },
      // Outside the 12 weeks: ignored.
      { weekStart: new Date("2026-08-31T00:00:00Z"), joined: 9, lost: 9 },
    ]);
    expect(trend.map((w) => w.net)).toEqual([4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -2]);
    expect(trend[11]).toEqual({ weekStart: new Date("2026-11-23T00:00:00Z"), joined: 3, lost: 5, net: -2 });
  });
});

describe("revenue per tier and currency", () => {
  it("MRR of paying subscriptions (a yearly price counts a twelfth), lifetime purchases apart as one-off", () => {
    const rows = revenueByTier(
      [
        live({ subscriptions: 3 }),
        live({ interval: "year", amount: 9999, subscriptions: 2 }),
        live({ status: "past_due" }),
        live({ status: "trialing", subscriptions: 7 }),
        live({ tierId: "silver", currency: "usd", amount: 500, subscriptions: 4 }),
        live({ kind: "lifetime", status: "lifetime", interval: null, amount: 30000, subscriptions: 2 }),
      ],
      [
        { tierId: "gold", currency: "eur", amount: 60000, purchases: 2 },
        { tierId: "vip", currency: "chf", amount: 100000, purchases: 1 },
      ],
    );
    expect(rows).toEqual([
      // 3 × 1000 + 2 × 833 (a twelfth of 9999, rounded per subscription) + 1000 (past due, being collected)
      { tierId: "gold", currency: "eur", mrr: 5666, oneOff: 60000, oneOffPurchases: 2 },
      { tierId: "silver", currency: "usd", mrr: 2000, oneOff: 0, oneOffPurchases: 0 },
      { tierId: "vip", currency: "chf", mrr: 0, oneOff: 100000, oneOffPurchases: 1 },
    ]);
  });
});

describe("assembleStats", () => {
  it("churn rate, trial conversion, totals per currency, members per tier and the goal", () => {
    const stats = assembleStats(
      aggregates({
        live: [
          live({ subscriptions: 2 }),
          live({ status: "trialing" }),
          live({ status: "past_due", currency: "usd", amount: 700 }),
          live({ tierId: "silver", amount: 300 }),
        ],
        activeMembers: 5,
        membersPerTier: [
          { tierId: "silver", members: 1 },
          { tierId: "gold", members: 4 },
        ],
        churn: { activeAtStart: 40, lost: 3, gained: 7 },
        oneOff: [{ tierId: "gold", currency: "usd", amount: 25000, purchases: 1 }],
        trials: { ended: 8, converted: 6 },
        goal: 4,
      }),
      now,
    );
    expect(stats).toMatchObject({
      activeMembers: 5,
      perTier: [
        { tierId: "gold", members: 4 },
        { tierId: "silver", members: 1 },
      ],
      trialing: 1,
      pastDue: 1,
      mrr: { eur: 2300, usd: 700 },
      oneOff: { usd: 25000 },
      windowDays: 30,
      activeAtWindowStart: 40,
      churnedLast30Days: 3,
      newLast30Days: 7,
      churnRate: 0.075,
      trialsEnded: 8,
      trialsConverted: 6,
      trialConversion: 0.75,
      goal: 4,
      goalProgress: 1.25,
    });
    expect(stats.weeks).toHaveLength(12);
  });

  it("GIVEN an empty ledger THEN zeros, and no rate where there is nothing to divide by", () => {
    const stats = assembleStats(aggregates(), now);
    expect(stats).toMatchObject({
      activeMembers: 0,
      mrr: {},
      oneOff: {},
      revenue: [],
      churnRate: null,
      trialConversion: null,
      goalProgress: 0,
    });
    expect(stats.weeks.every((w) => w.joined === 0 && w.lost === 0 && w.net === 0)).toBe(true);
    expect(ratio(0, 0)).toBeNull();
    expect(ratio(1, 4)).toBe(0.25);
  });
});
