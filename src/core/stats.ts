/**
 * Creator stats, computed from subscriptions the caller already judged (entitled or not). Pure.
 */

export interface StatsSubscription {
  memberId: string;
  tierId: string | null;
  status: string;
  entitled: boolean;
  /** Price in minor units, its currency and interval ("month", "year", null for lifetime). */
  amount: number;
  currency: string;
  interval: string | null;
  startedAt: Date;
  endedAt: Date | null;
}

export interface TierStats {
  tierId: string;
  members: number;
}

export interface CreatorStats {
  /** Members with at least one entitled subscription. */
  activeMembers: number;
  perTier: TierStats[];
  trialing: number;
  pastDue: number;
  /** Monthly recurring revenue per currency, in minor units; yearly prices count a twelfth. */
  mrr: Record<string, number>;
  newLast30Days: number;
  churnedLast30Days: number;
  goal: number;
  /** activeMembers / goal, 0..1 and beyond. */
  goalProgress: number;
}

const DAY = 24 * 60 * 60 * 1000;

/** Monthly value of one recurring price, in minor units (rounded to the nearest unit). */
export function monthlyAmount(amount: number, interval: string | null): number {
  if (interval === "month") return amount;
  if (interval === "year") return Math.round(amount / 12);
  if (interval === "week") return Math.round((amount * 52) / 12);
  if (interval === "day") return Math.round((amount * 365) / 12);
  return 0;
}

export function computeStats(subs: readonly StatsSubscription[], goal: number, now: Date): CreatorStats {
  const since = now.getTime() - 30 * DAY;
  const entitledMembers = new Set<string>();
  const perTier = new Map<string, Set<string>>();
  const mrr: Record<string, number> = {};
  let trialing = 0;
  let pastDue = 0;
  const firstStart = new Map<string, number>();
  const lastEnd = new Map<string, number>();
  for (const s of subs) {
    const start = s.startedAt.getTime();
    firstStart.set(s.memberId, Math.min(firstStart.get(s.memberId) ?? Number.POSITIVE_INFINITY, start));
    if (s.endedAt) lastEnd.set(s.memberId, Math.max(lastEnd.get(s.memberId) ?? 0, s.endedAt.getTime()));
    if (!s.entitled) continue;
    entitledMembers.add(s.memberId);
    if (s.tierId) {
      const set = perTier.get(s.tierId) ?? new Set<string>();
      set.add(s.memberId);
      perTier.set(s.tierId, set);
    }
    if (s.status === "trialing") trialing++;
    if (s.status === "past_due") pastDue++;
    // A trial pays nothing yet; a past_due subscription still counts (it is being collected).
    if (s.status !== "trialing") {
      const monthly = monthlyAmount(s.amount, s.interval);
      if (monthly > 0) mrr[s.currency] = (mrr[s.currency] ?? 0) + monthly;
    }
  }
  let newLast30Days = 0;
  for (const [member, start] of firstStart)
    if (start >= since && entitledMembers.has(member)) newLast30Days++;
  let churnedLast30Days = 0;
  for (const [member, end] of lastEnd) if (end >= since && !entitledMembers.has(member)) churnedLast30Days++;
  return {
    activeMembers: entitledMembers.size,
    perTier: [...perTier]
      .map(([tierId, set]) => ({ tierId, members: set.size }))
      .sort((a, b) => b.members - a.members),
    trialing,
    pastDue,
    mrr,
    newLast30Days,
    churnedLast30Days,
    goal,
    goalProgress: goal > 0 ? entitledMembers.size / goal : 0,
  };
}
