import { type CreatorStats, computeStats, type StatsSubscription } from "../core/stats.ts";
import type { Db } from "./db.ts";
import { isEntitledNow } from "./membership/entitlement.ts";
import { getSettings } from "./settings.ts";

export interface StatsView extends CreatorStats {
  tierNames: Record<string, string>;
}

/** The creator's dashboard numbers: members per tier, trials, past due, MRR, churn, goal. */
export async function getCreatorStats(db: Db, now: Date): Promise<StatsView> {
  const settings = await getSettings(db);
  const [rows, tiers] = await Promise.all([
    db.subscription.findMany({
      where: { member: { deletedAt: null, suspendedAt: null } },
      select: {
        memberId: true,
        tierId: true,
        status: true,
        amount: true,
        currency: true,
        interval: true,
        startedAt: true,
        endedAt: true,
        currentPeriodEnd: true,
        cancelAtPeriodEnd: true,
        pastDueSince: true,
        holds: { where: { liftedAt: null }, select: { reason: true } },
      },
    }),
    db.tier.findMany({ select: { id: true, name: true } }),
  ]);
  const subs: StatsSubscription[] = rows.map((r) => ({
    memberId: r.memberId,
    tierId: r.tierId,
    status: r.status,
    amount: r.amount,
    currency: r.currency,
    interval: r.interval,
    startedAt: r.startedAt,
    endedAt: r.endedAt,
    entitled: r.tierId !== null && isEntitledNow(r, settings.graceDays, now),
  }));
  return {
    ...computeStats(subs, settings.trueFansGoal, now),
    tierNames: Object.fromEntries(tiers.map((t) => [t.id, t.name])),
  };
}
