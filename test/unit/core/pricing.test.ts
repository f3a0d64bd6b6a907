import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type PriceRow, pickOffer, tierOffers, yearlySaving } from "../../../src/core/pricing.ts";

const eur = (amount: number) => ({ amount, currency: "eur" });

describe("yearlySaving", () => {
  it("GIVEN €10/month and €100/year THEN 2 months free, 17 %", () => {
    expect(yearlySaving(eur(1000), eur(10000))).toEqual({ monthsFree: 2, percent: 17 });
  });

  it("GIVEN €5/month and €50/year THEN 2 months free (the saving counts against 12 × monthly)", () => {
    expect(yearlySaving(eur(500), eur(5000))).toEqual({ monthsFree: 2, percent: 17 });
  });

  it("GIVEN a saving that is not whole months THEN a percentage only", () => {
    expect(yearlySaving(eur(999), eur(9999))).toEqual({ monthsFree: null, percent: 17 });
    expect(yearlySaving(eur(1000), eur(9000))).toEqual({ monthsFree: 3, percent: 25 });
    expect(yearlySaving(eur(1000), eur(11500))).toEqual({ monthsFree: null, percent: 4 });
  });

  it("GIVEN a yearly price at or above 12 × monthly THEN no saving", () => {
    expect(yearlySaving(eur(1000), eur(12000))).toBeNull();
    expect(yearlySaving(eur(1000), eur(15000))).toBeNull();
  });

  it("GIVEN a saving that rounds to 0 % THEN no saving", () => {
    expect(yearlySaving(eur(100000), eur(1199999))).toBeNull();
  });

  it("GIVEN prices in different currencies THEN no saving (no honest comparison)", () => {
    expect(yearlySaving(eur(1000), { amount: 10000, currency: "usd" })).toBeNull();
    expect(yearlySaving(eur(1000), { amount: 10000, currency: "EUR" })).toEqual({
      monthsFree: 2,
      percent: 17,
    });
  });

  it("GIVEN any prices THEN a saving is positive and below 100 %, and months free match the amounts", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 1, max: 2_000_000 }), (m, y) => {
        const s = yearlySaving(eur(m), eur(y));
        if (y >= 12 * m) return s === null;
        if (s === null) return Math.round(((12 * m - y) * 100) / (12 * m)) === 0;
        const monthsOk = s.monthsFree === null || (s.monthsFree >= 1 && 12 * m - y === s.monthsFree * m);
        return monthsOk && s.percent >= 0 && s.percent <= 100;
      }),
    );
  });
});

function row(over: Partial<PriceRow>): PriceRow {
  return {
    stripePriceId: `price_${Math.random().toString(36).slice(2)}`,
    kind: "recurring",
    current: true,
    amount: 1000,
    currency: "eur",
    interval: "month",
    trialDays: 0,
    ...over,
  };
}

describe("tierOffers", () => {
  it("GIVEN monthly, yearly and lifetime prices THEN three offers in that order, the yearly with its saving", () => {
    const offers = tierOffers([
      row({ kind: "lifetime", interval: null, amount: 20000, trialDays: 7 }),
      row({ interval: "year", amount: 10000, trialDays: 7 }),
      row({ interval: "month", amount: 1000, trialDays: 7 }),
    ]);
    expect(offers.map((o) => [o.kind, o.amount, o.trialDays, o.saving])).toEqual([
      ["month", 1000, 7, null],
      ["year", 10000, 7, { monthsFree: 2, percent: 17 }],
      ["lifetime", 20000, 0, null],
    ]);
  });

  it("GIVEN retired prices THEN only the current ones are offered", () => {
    const offers = tierOffers([
      row({ amount: 800, current: false }),
      row({ amount: 1000 }),
      row({ kind: "lifetime", interval: null, amount: 100, current: false }),
    ]);
    expect(offers.map((o) => [o.kind, o.amount])).toEqual([["month", 1000]]);
  });

  it("GIVEN a yearly price alone THEN no saving is shown (nothing to compare with)", () => {
    expect(tierOffers([row({ interval: "year", amount: 10000 })])[0]?.saving).toBeNull();
  });

  it("GIVEN a price of another interval (weekly) THEN it is not offered", () => {
    expect(tierOffers([row({ interval: "week" })])).toEqual([]);
  });
});

describe("pickOffer", () => {
  const offers = tierOffers([
    row({ interval: "year", amount: 10000 }),
    row({ interval: "month", amount: 1000 }),
    row({ kind: "lifetime", interval: null, amount: 20000 }),
  ]);
  it("GIVEN no wish THEN monthly; GIVEN a kind THEN that kind", () => {
    expect(pickOffer(offers)?.kind).toBe("month");
    expect(pickOffer(offers, "year")?.kind).toBe("year");
    expect(pickOffer(offers, "lifetime")?.kind).toBe("lifetime");
  });
  it("GIVEN no monthly price THEN yearly, never lifetime unless asked", () => {
    expect(pickOffer(offers.filter((o) => o.kind !== "month"))?.kind).toBe("year");
    expect(pickOffer(offers.filter((o) => o.kind === "lifetime"))).toBeUndefined();
  });
});
