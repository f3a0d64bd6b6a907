/**
 * The prices of a tier as a fan chooses between them: monthly, yearly and lifetime side by side, and
 * what the yearly price saves against twelve months paid monthly.
 *
 * Pure: no I/O. Every rule is a GIVEN/THEN in test/unit/core/pricing.test.ts.
 */

/** How a fan pays for a tier: every month, every year, or once for life. */
export type OfferKind = "month" | "year" | "lifetime";

export const OFFER_KINDS: readonly OfferKind[] = ["month", "year", "lifetime"];

export function isOfferKind(s: string): s is OfferKind {
  return (OFFER_KINDS as readonly string[]).includes(s);
}

/** What a yearly price saves against 12 monthly payments in the same currency. */
export interface YearlySaving {
  /** Whole months given free (12 × monthly − yearly is a whole number of months), else null. */
  monthsFree: number | null;
  /** The saving in percent of 12 × monthly, rounded to the nearest whole percent. */
  percent: number;
}

/** One price a fan can pick. */
export interface PriceOffer {
  kind: OfferKind;
  stripePriceId: string;
  /** In the currency's minor unit. */
  amount: number;
  currency: string;
  trialDays: number;
  /** Yearly offers only: what it saves against the monthly price, when it saves anything. */
  saving: YearlySaving | null;
}

/** A price row of a tier, as the ledger stores it. */
export interface PriceRow {
  stripePriceId: string;
  kind: string;
  current: boolean;
  amount: number;
  currency: string;
  interval: string | null;
  trialDays: number;
}

/**
 * The saving of a yearly price against twelve monthly ones, or null when there is none to show:
 * different currencies (no honest comparison), a yearly price at or above 12 × monthly, or a
 * saving that rounds to nothing.
 */
export function yearlySaving(
  monthly: { amount: number; currency: string },
  yearly: { amount: number; currency: string },
): YearlySaving | null {
  if (monthly.currency.toLowerCase() !== yearly.currency.toLowerCase()) return null;
  if (!(monthly.amount > 0) || !(yearly.amount > 0)) return null;
  const twelve = 12 * monthly.amount;
  const saved = twelve - yearly.amount;
  if (saved <= 0) return null;
  const monthsFree = saved % monthly.amount === 0 ? saved / monthly.amount : null;
  const percent = Math.round((saved * 100) / twelve);
  if (monthsFree === null && percent === 0) return null;
  return { monthsFree, percent };
}

/** The kind of offer a price row is, or null for a row a fan cannot pick (an interval Stripe has but tribegate does not sell). */
export function offerKindOf(p: { kind: string; interval: string | null }): OfferKind | null {
  if (p.kind === "lifetime") return "lifetime";
  if (p.kind === "recurring" && (p.interval === "month" || p.interval === "year")) return p.interval;
  return null;
}

/**
 * The offers of a tier in the order a fan reads them (monthly, yearly, lifetime): one per kind, from
 * its current prices; the yearly one with its saving against the monthly one.
 */
export function tierOffers(prices: readonly PriceRow[]): PriceOffer[] {
  const offers: PriceOffer[] = [];
  for (const kind of OFFER_KINDS) {
    const p = prices.find((x) => x.current && offerKindOf(x) === kind);
    if (!p) continue;
    offers.push({
      kind,
      stripePriceId: p.stripePriceId,
      amount: p.amount,
      currency: p.currency,
      trialDays: kind === "lifetime" ? 0 : p.trialDays,
      saving: null,
    });
  }
  const month = offers.find((o) => o.kind === "month");
  const year = offers.find((o) => o.kind === "year");
  if (month && year) year.saving = yearlySaving(month, year);
  return offers;
}

/**
 * The offer a fan gets when they name none, or name a kind: the named kind, else monthly, else the
 * first recurring one. Lifetime is only ever bought when asked for.
 */
export function pickOffer(offers: readonly PriceOffer[], wanted?: OfferKind): PriceOffer | undefined {
  if (wanted) return offers.find((o) => o.kind === wanted);
  return offers.find((o) => o.kind === "month") ?? offers.find((o) => o.kind === "year");
}
