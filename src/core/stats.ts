/**
 * Creator stats, assembled from the ledger's aggregates (src/app/stats.ts counts them in SQL). Pure.
 *
 * The definitions, as the creator reads them (the README's stats line says the same):
 * - **Members**: members with at least one subscription (or lifetime purchase) that owes access now
 *   (src/core/membership.ts). Members the creator revoked by hand, or whose Stripe customer was
 *   deleted, are left out of every member figure.
 * - **Membership span** of a subscription: from Stripe's start date until access ends — Stripe's end
 *   date, the moment a refund or dispute took the money back, the end of the paid period of a
 *   subscription canceled at period end, the end of the grace period of a failed payment, or the
 *   end of the last paid period of an unpaid or paused one. A member is *active at a moment* when
 *   one of their spans holds it; an uninterrupted run of spans (a tier switch included) is one stay.
 * - **Churn rate (30 days)** = members active 30 days ago who are not active now ÷ members active
 *   30 days ago (null when nobody was). **New (30 days)** = members active now who were not 30 days
 *   ago; so `new − lost` is the change in members over the window.
 * - **Net new per week**: for each ISO week (Monday 00:00 UTC) of the last 12 — the current week so
 *   far and the 11 before — stays that began in it minus stays that ended in it.
 * - **Revenue per tier and currency**: monthly recurring revenue (MRR) of the subscriptions that owe
 *   access now and are not in trial (a failed payment in grace still counts: it is being collected),
 *   a yearly price counting a twelfth; and, apart from it, the **one-off** revenue of the lifetime
 *   purchases made in the last 30 days, not refunded nor disputed. A lifetime purchase is never MRR.
 * - **Trial conversion (30 days)** = trials that ended in the last 30 days whose subscription was
 *   paid (status active) at or after the trial's end ÷ trials that ended in the last 30 days (a
 *   trial ends when its subscription leaves the trialing status; null when none ended).
 * - **True-fans goal**: members ÷ the goal the creator set.
 */

export const STATS_WINDOW_DAYS = 30;
export const TREND_WEEKS = 12;
const DAY = 24 * 60 * 60 * 1000;
const WEEK = 7 * DAY;

/** Monthly value of one recurring price, in minor units (rounded to the nearest unit). */
export function monthlyAmount(amount: number, interval: string | null): number {
  if (interval === "month") return amount;
  if (interval === "year") return Math.round(amount / 12);
  if (interval === "week") return Math.round((amount * 52) / 12);
  if (interval === "day") return Math.round((amount * 365) / 12);
  return 0;
}

/** Monday 00:00 UTC of the ISO week holding `d`. */
export function isoWeekStart(d: Date): Date {
  const day = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const sinceMonday = (day.getUTCDay() + 6) % 7;
  return new Date(day.getTime() - sinceMonday * DAY);
}

/** The starts of the last `weeks` ISO weeks, oldest first; the last one holds `now`. */
export function trendWeekStarts(now: Date, weeks = TREND_WEEKS): Date[] {
  const current = isoWeekStart(now).getTime();
  return Array.from({ length: weeks }, (_, i) => new Date(current - (weeks - 1 - i) * WEEK));
}

/** `part / whole`, or null when there is no whole to divide by. */
export function ratio(part: number, whole: number): number | null {
  return whole > 0 ? part / whole : null;
}

/** Subscriptions that owe access now, counted per price (one row of the SQL aggregate). */
export interface LivePriceGroup {
  tierId: string;
  status: string;
  kind: "recurring" | "lifetime";
  currency: string;
  interval: string | null;
  amount: number;
  subscriptions: number;
}

/** Lifetime purchases of one tier and currency made in the window (not refunded nor disputed). */
export interface OneOffGroup {
  tierId: string;
  currency: string;
  /** Their total, in minor units. */
  amount: number;
  purchases: number;
}

/** Stays that began and ended in one ISO week (the SQL aggregate; weeks without any are absent). */
export interface WeekEvents {
  weekStart: Date;
  joined: number;
  lost: number;
}

export interface StatsAggregates {
  live: readonly LivePriceGroup[];
  /** Distinct members owed access now, in all and per tier. */
  activeMembers: number;
  membersPerTier: readonly { tierId: string; members: number }[];
  /** Members active at the window's start, and active now. */
  churn: { activeAtStart: number; lost: number; gained: number };
  weeks: readonly WeekEvents[];
  oneOff: readonly OneOffGroup[];
  trials: { ended: number; converted: number };
  goal: number;
}

export interface TierStats {
  tierId: string;
  members: number;
}

export interface TierRevenue {
  tierId: string;
  currency: string;
  /** Monthly recurring revenue, minor units. */
  mrr: number;
  /** Lifetime purchases of the window, minor units, and how many. */
  oneOff: number;
  oneOffPurchases: number;
}

export interface WeekTrend {
  weekStart: Date;
  joined: number;
  lost: number;
  net: number;
}

export interface CreatorStats {
  /** Members with at least one entitled subscription. */
  activeMembers: number;
  perTier: TierStats[];
  trialing: number;
  pastDue: number;
  /** Monthly recurring revenue per currency, in minor units; yearly prices count a twelfth. */
  mrr: Record<string, number>;
  /** One-off revenue (lifetime purchases of the window) per currency, in minor units. */
  oneOff: Record<string, number>;
  /** Per tier and currency, highest MRR first. */
  revenue: TierRevenue[];
  windowDays: number;
  /** Members active now who were not `windowDays` ago. */
  newLast30Days: number;
  /** Members active `windowDays` ago who are not now. */
  churnedLast30Days: number;
  /** Members active `windowDays` ago. */
  activeAtWindowStart: number;
  /** churnedLast30Days / activeAtWindowStart; null when nobody was active then. */
  churnRate: number | null;
  /** The last 12 ISO weeks, oldest first. */
  weeks: WeekTrend[];
  trialsEnded: number;
  trialsConverted: number;
  /** trialsConverted / trialsEnded; null when no trial ended in the window. */
  trialConversion: number | null;
  goal: number;
  /** activeMembers / goal, 0..1 and beyond. */
  goalProgress: number;
}

/** The 12 weeks of the trend, with a zero for each week the aggregate did not mention. */
export function weeklyTrend(now: Date, events: readonly WeekEvents[], weeks = TREND_WEEKS): WeekTrend[] {
  const byWeek = new Map(events.map((e) => [isoWeekStart(e.weekStart).getTime(), e]));
  return trendWeekStarts(now, weeks).map((weekStart) => {
    const e = byWeek.get(weekStart.getTime());
    const joined = e?.joined ?? 0;
    const lost = e?.lost ?? 0;
    return { weekStart, joined, lost, net: joined - lost };
  });
}

/** MRR and one-off revenue per tier and currency, highest MRR (then one-off) first. */
export function revenueByTier(
  live: readonly LivePriceGroup[],
  oneOff: readonly OneOffGroup[],
): TierRevenue[] {
  const rows = new Map<string, TierRevenue>();
  const row = (tierId: string, currency: string): TierRevenue => {
    const key = `${tierId}\u0000${currency}`;
    let r = rows.get(key);
    if (!r) {
      r = { tierId, currency, mrr: 0, oneOff: 0, oneOffPurchases: 0 };
      rows.set(key, r);
    }
    return r;
  };
  for (const g of live) {
    // A trial pays nothing yet; a lifetime purchase is not recurring.
    if (g.status === "trialing" || g.kind !== "recurring") continue;
    const monthly = monthlyAmount(g.amount, g.interval);
    if (monthly > 0) row(g.tierId, g.currency).mrr += monthly * g.subscriptions;
  }
  for (const o of oneOff) {
    const r = row(o.tierId, o.currency);
    r.oneOff += o.amount;
    r.oneOffPurchases += o.purchases;
  }
  return [...rows.values()].sort(
    (a, b) =>
      b.mrr - a.mrr ||
      b.oneOff - a.oneOff ||
      a.tierId.localeCompare(b.tierId) ||
      a.currency.localeCompare(b.currency),
  );
}

function perCurrency(
  revenue: readonly TierRevenue[],
  pick: (r: TierRevenue) => number,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of revenue) {
    const v = pick(r);
    if (v > 0) out[r.currency] = (out[r.currency] ?? 0) + v;
  }
  return out;
}

export function assembleStats(a: StatsAggregates, now: Date): CreatorStats {
  const revenue = revenueByTier(a.live, a.oneOff);
  let trialing = 0;
  let pastDue = 0;
  for (const g of a.live) {
    if (g.status === "trialing") trialing += g.subscriptions;
    if (g.status === "past_due") pastDue += g.subscriptions;
  }
  return {
    activeMembers: a.activeMembers,
    perTier: [...a.membersPerTier]
      .filter((p) => p.members > 0)
      .sort((x, y) => y.members - x.members || x.tierId.localeCompare(y.tierId)),
    trialing,
    pastDue,
    mrr: perCurrency(revenue, (r) => r.mrr),
    oneOff: perCurrency(revenue, (r) => r.oneOff),
    revenue,
    windowDays: STATS_WINDOW_DAYS,
    newLast30Days: a.churn.gained,
    churnedLast30Days: a.churn.lost,
    activeAtWindowStart: a.churn.activeAtStart,
    churnRate: ratio(a.churn.lost, a.churn.activeAtStart),
    weeks: weeklyTrend(now, a.weeks),
    trialsEnded: a.trials.ended,
    trialsConverted: a.trials.converted,
    trialConversion: ratio(a.trials.converted, a.trials.ended),
    goal: a.goal,
    goalProgress: a.goal > 0 ? a.activeMembers / a.goal : 0,
  };
}
