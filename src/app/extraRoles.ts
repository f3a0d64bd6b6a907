import { type AccessTarget, type Identity, targetKey } from "../core/access.ts";
import { DomainError } from "../errors.ts";
import type { Db } from "./db.ts";
import { currentPlan, MEMBER_PLAN_INCLUDE } from "./membership/syncMemberAccess.ts";
import { type CreatorSettings, getSettings, MAX_TENURE_ROLES, setSetting } from "./settings.ts";
import { resyncMembers, type TierDeps } from "./tiers.ts";

/**
 * The creator's optional roles beyond the tiers' (src/core/access.ts, ExtraRoles): a trial role, an
 * alumni role and tenure roles. Each is off until set; the platform checks first that the bot can
 * give and take the role. A change applies to every member with a subscription at once, through
 * the same durable access jobs as the tiers' roles.
 */
export interface ExtraRolesChange {
  /** A role to give during a free trial; null: none any more. */
  trial?: AccessTarget | null;
  /** A role to give former members; null: none any more. */
  alumni?: AccessTarget | null;
  /** A role given at this many months of continuous membership (replaces that step's role). */
  tenure?: { months: number; target: AccessTarget };
  /** No tenure role at this many months any more; "all": none at all. */
  tenureOff?: number | "all";
}

/** Applies a change; true when it changed anything. Refusals change nothing. */
export async function changeExtraRoles(deps: TierDeps, change: ExtraRolesChange): Promise<boolean> {
  const changed = await deps.db.$transaction(async (tx) => {
    const before = await getSettings(tx);
    const next: Pick<CreatorSettings, "trialRole" | "alumniRole" | "tenureRoles"> = {
      trialRole: before.trialRole,
      alumniRole: before.alumniRole,
      tenureRoles: [...before.tenureRoles],
    };
    if (change.tenureOff === "all") next.tenureRoles = [];
    else if (change.tenureOff !== undefined)
      next.tenureRoles = next.tenureRoles.filter((t) => t.months !== change.tenureOff);
    if (change.trial !== undefined) next.trialRole = change.trial ? targetKey(change.trial) : "";
    if (change.alumni !== undefined) next.alumniRole = change.alumni ? targetKey(change.alumni) : "";
    if (change.tenure) {
      const { months, target } = change.tenure;
      next.tenureRoles = [
        ...next.tenureRoles.filter((t) => t.months !== months),
        { months, role: targetKey(target) },
      ].sort((a, b) => a.months - b.months);
      if (next.tenureRoles.length > MAX_TENURE_ROLES)
        throw new DomainError("tenure_roles_full", { max: MAX_TENURE_ROLES });
    }
    const fresh = [change.trial, change.alumni, change.tenure?.target].flatMap((t) =>
      t ? [targetKey(t)] : [],
    );
    // A role of its own for each: a tier's role would be taken from paying members, and one role
    // for two purposes would be given by one rule and taken by the other.
    const used = [next.trialRole, next.alumniRole, ...next.tenureRoles.map((t) => t.role)].filter(Boolean);
    for (const key of fresh) {
      const role = `<@&${key.split(":")[2]}>`;
      if (used.filter((k) => k === key).length > 1) throw new DomainError("extra_role_taken", { role });
      if (await tx.tierAccess.findFirst({ where: { targetKey: key }, select: { id: true } }))
        throw new DomainError("extra_role_is_tier_role", { role });
    }
    const same =
      next.trialRole === before.trialRole &&
      next.alumniRole === before.alumniRole &&
      JSON.stringify(next.tenureRoles) === JSON.stringify(before.tenureRoles);
    if (same) return false;
    await setSetting(tx, "trialRole", next.trialRole);
    await setSetting(tx, "alumniRole", next.alumniRole);
    await setSetting(tx, "tenureRoles", next.tenureRoles);
    return true;
  });
  if (!changed) return false;
  const settings = await getSettings(deps.db);
  deps.log.info(
    {
      event: "settings.extra_roles",
      trialRole: settings.trialRole || null,
      alumniRole: settings.alumniRole || null,
      tenureRoles: settings.tenureRoles,
    },
    "roles beyond the tiers changed",
  );
  // Every member with a subscription (current or former) may now be owed more, or less.
  const members = await deps.db.subscription.findMany({ select: { memberId: true }, distinct: ["memberId"] });
  await resyncMembers(
    deps,
    members.map((m) => m.memberId),
    "the creator changed the roles beyond the tiers",
  );
  return true;
}

/**
 * A member's continuous membership as /membership shows it: since when, how many months, and the
 * highest tenure step reached (the creator's tenure roles; null: none reached or none set).
 */
export async function membershipTenure(
  deps: { db: Db; clock: { now(): Date } },
  who: Identity,
): Promise<{ since: Date; months: number; badge: number | null } | null> {
  const member = await deps.db.member.findFirst({
    where: { identities: { some: { platform: who.platform, platformUserId: who.userId } } },
    include: MEMBER_PLAN_INCLUDE,
  });
  if (!member) return null;
  const plan = await currentPlan(deps.db, member, deps.clock.now());
  if (!plan.tenure.since) return null;
  const { tenureRoles } = await getSettings(deps.db);
  const reached = tenureRoles.filter((t) => t.months <= plan.tenure.months).map((t) => t.months);
  return {
    since: plan.tenure.since,
    months: plan.tenure.months,
    badge: reached.length ? Math.max(...reached) : null,
  };
}
