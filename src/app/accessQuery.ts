import { type AccessTarget, type Identity, type MemberAccessPlan, targetKey } from "../core/access.ts";
import type { Db } from "./db.ts";
import { currentPlan, MEMBER_PLAN_INCLUDE, type MemberForPlan } from "./membership/syncMemberAccess.ts";
import type { Clock } from "./worker.ts";

/**
 * Questions a platform asks the ledger when someone knocks at the door (a Telegram join request, a
 * join by link): is this account owed this resource right now? Computed from the subscriptions, not
 * from the last access job, so a grace period that ended a second ago already counts.
 */

export type OwedAnswer =
  | {
      owed: true;
      tierId: string;
      tierName: string;
      memberId: string;
      /** A former member back after a break: their welcome says "welcome back". */
      returning: boolean;
    }
  | { owed: false; memberId: string | null };

export async function isOwedAccess(
  deps: { db: Db; clock: Clock },
  who: Identity,
  target: AccessTarget,
): Promise<OwedAnswer> {
  const account = await accountPlan(deps, who);
  if (!account) return { owed: false, memberId: null };
  const { member, plan } = account;
  const key = targetKey(target);
  const hit = plan.owed.find(
    (o) =>
      o.identity.platform === who.platform && o.identity.userId === who.userId && targetKey(o.target) === key,
  );
  // Only a tier's resources are a door to knock at (the roles beyond the tiers are Discord's).
  if (!hit?.tierId) return { owed: false, memberId: member.id };
  const tier = await deps.db.tier.findUnique({ where: { id: hit.tierId }, select: { name: true } });
  return {
    owed: true,
    tierId: hit.tierId,
    tierName: tier?.name ?? "",
    memberId: member.id,
    returning: plan.tenure.returning,
  };
}

/** The tiers that open a resource, with the label the creator gave it (chat title, role name). */
export async function tiersOpening(db: Db, target: AccessTarget) {
  const rows = await db.tierAccess.findMany({
    where: { targetKey: targetKey(target) },
    include: { tier: { select: { id: true, slug: true, name: true, archivedAt: true } } },
    orderBy: { createdAt: "asc" },
  });
  return rows.map((r) => ({ label: r.label, tier: r.tier }));
}

/**
 * An account's member (its stored language too) and what the ledger owes that member now, or null
 * for an account the ledger does not know.
 */
export async function accountPlan(
  deps: { db: Db; clock: Clock },
  who: Identity,
): Promise<{ locale: string | null; member: MemberForPlan; plan: MemberAccessPlan } | null> {
  const identity = await deps.db.identity.findUnique({
    where: { platform_platformUserId: { platform: who.platform, platformUserId: who.userId } },
    select: { locale: true, memberId: true },
  });
  if (!identity) return null;
  const member = await deps.db.member.findUnique({
    where: { id: identity.memberId },
    include: MEMBER_PLAN_INCLUDE,
  });
  if (!member) return null;
  return { locale: identity.locale, member, plan: await currentPlan(deps.db, member, deps.clock.now()) };
}

/** The name of the tier a member holds in their plan (an entitled subscription), or null. */
export async function heldTierName(
  db: Db,
  account: { member: MemberForPlan; plan: MemberAccessPlan },
): Promise<string | null> {
  const held = account.member.subscriptions.find(
    (s) => s.tierId && account.plan.entitlements.get(s.id)?.entitled,
  );
  if (!held?.tierId) return null;
  const tier = await db.tier.findUnique({ where: { id: held.tierId }, select: { name: true } });
  return tier?.name ?? null;
}

/**
 * The tier an account's member holds now (an entitled subscription), or null when their membership
 * has ended: a role or chat taken back from a member who still holds a tier was left behind by a
 * tier switch, and their goodbye says so instead of "your membership has ended".
 */
export async function memberTierNow(deps: { db: Db; clock: Clock }, who: Identity): Promise<string | null> {
  const account = await accountPlan(deps, who);
  return account ? heldTierName(deps.db, account) : null;
}
