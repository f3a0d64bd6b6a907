import { type AccessTarget, type Platform, parseTargetKey, targetKey } from "../../core/access.ts";
import { tierOffers } from "../../core/pricing.ts";
import { accountPlan, heldTierName } from "../accessQuery.ts";
import type { Db } from "../db.ts";
import type { FanNotice } from "../notify.ts";
import type { Clock } from "../worker.ts";

/**
 * What a fan is told after their access changed on a platform resource (a Discord role): a welcome
 * or a goodbye. The platform executes the change and sends the message; the rules are here.
 */

/** One access change, as the message about it needs it. */
export interface AccessChange {
  platform: Platform;
  userId: string;
  action: "grant" | "revoke";
  target: AccessTarget;
}

/**
 * A newer change for this account and resource came after this one (granted, then revoked): the
 * newer change's own message tells the fan, this one is superseded and not sent.
 */
export async function isSupersededChange(db: Db, change: AccessChange): Promise<boolean> {
  const wish = await db.accessJob.findFirst({
    where: { platform: change.platform, platformUserId: change.userId, targetKey: targetKey(change.target) },
    select: { action: true },
  });
  return Boolean(wish && wish.action !== change.action);
}

/**
 * The notice for a change and the fan's stored locale, or null when no message is due: a tier that
 * opens several resources on one platform sends one message, on its first resource, not one per
 * resource. A resource taken back from a member who still holds a tier was left by a tier switch:
 * the goodbye names the tier they hold now, with no "your membership has ended" and no way back.
 */
export async function accessChangeNotice(
  deps: { db: Db; clock: Clock },
  change: AccessChange,
): Promise<{ notice: FanNotice; locale: string | null } | null> {
  const { db } = deps;
  const access = await db.tierAccess.findFirst({
    where: { targetKey: targetKey(change.target) },
    include: {
      tier: { select: { name: true, slug: true, archivedAt: true, prices: { where: { current: true } } } },
    },
  });
  let targets: AccessTarget[] = [];
  if (access) {
    const all = await db.tierAccess.findMany({
      where: { tierId: access.tierId, platform: change.platform },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      select: { targetKey: true },
    });
    const first = all[0];
    if (first && first.targetKey !== access.targetKey) return null;
    targets = all.flatMap((r) => parseTargetKey(r.targetKey) ?? []);
  }
  // What the member holds now: a tier (a switch, not a goodbye), a return after a break.
  const account = await accountPlan(deps, { platform: change.platform, userId: change.userId });
  const locale = account?.locale ?? null;
  if (change.action === "revoke" && account) {
    const holds = await heldTierName(db, account);
    if (holds)
      return {
        notice: { template: "access_switched", fromTier: access?.tier.name ?? null, toTier: holds },
        locale,
      };
  }
  // The goodbye carries a way back: the tier's first price, while the tier is for sale.
  const offer = access && !access.tier.archivedAt ? tierOffers(access.tier.prices)[0] : undefined;
  const notice: FanNotice =
    change.action === "grant"
      ? {
          template: "access_granted",
          tierName: access?.tier.name ?? "",
          targets,
          // A former member back after a break (src/core/access.ts, tenureOf): their welcome says so.
          ...(account?.plan.tenure.since && account.plan.tenure.returning ? { welcomeBack: true } : {}),
        }
      : {
          template: "access_revoked",
          tierName: access?.tier.name ?? null,
          ...(access && offer ? { comeBack: { tierSlug: access.tier.slug, offer: offer.kind } } : {}),
        };
  return { notice, locale };
}

/** Whether the message keyed `key` (one change's announcement) was sent already. */
export async function wasAnnounced(db: Db, key: string): Promise<boolean> {
  return (await db.announcement.count({ where: { key } })) > 0;
}

/** Records that the message keyed `key` was sent (a second record of it changes nothing). */
export async function markAnnounced(db: Db, key: string, now: Date): Promise<void> {
  await db.announcement.createMany({ data: [{ key, createdAt: now }], skipDuplicates: true });
}
