import type { Identity } from "../../core/access.ts";
import { DomainError } from "../../errors.ts";
import { wantAccess } from "../access/jobs.ts";
import type { Db, Tx } from "../db.ts";
import { isEntitledNow } from "../membership/entitlement.ts";
import { currentPlan, MEMBER_PLAN_INCLUDE } from "../membership/syncMemberAccess.ts";
import { spendToken } from "../rateLimits.ts";
import { getSettings } from "../settings.ts";
import type { MemberDeps } from "./types.ts";

/**
 * "Give me back my access": a fan who left a server or a group (or lost a role by hand) asks the bot
 * to check again. Every target the ledger owes this account is wished again, even where the last
 * job says done, so the platform executor re-applies it (idempotently).
 */
export async function claimAccess(deps: MemberDeps, who: Identity): Promise<{ owed: number }> {
  // Each claim may make new Telegram invite links: a fan asks a few times, a script is stopped.
  await spendToken(deps, "claim", who);
  return reapplyAccess(deps, who);
}

/**
 * The same re-application, done by the bot on its own (a member rejoined a Discord server): not
 * limited, since the fan did not ask and is owed it every time.
 */
export async function reapplyAccess(deps: MemberDeps, who: Identity): Promise<{ owed: number }> {
  const identity = await deps.db.identity.findUnique({
    where: { platform_platformUserId: { platform: who.platform, platformUserId: who.userId } },
  });
  if (!identity) throw new DomainError("not_a_member");
  const now = deps.clock.now();
  const owed = await deps.db.$transaction(async (tx: Tx) => {
    const member = await tx.member.findUniqueOrThrow({
      where: { id: identity.memberId },
      include: MEMBER_PLAN_INCLUDE,
    });
    const plan = await currentPlan(tx, member, now);
    const mine = plan.owed.filter(
      (o) => o.identity.platform === who.platform && o.identity.userId === who.userId,
    );
    for (const o of mine) {
      await wantAccess(tx, {
        identity: o.identity,
        target: o.target,
        memberId: member.id,
        action: "grant",
        reason:
          o.kind === "tier"
            ? `claimed by the fan; subscription ${o.subscriptionId} of tier ${o.tierId}`
            : `claimed by the fan; ${o.kind} role`,
        stripeEventId: null,
        now,
        announceAgain: true,
        quiet: o.kind !== "tier",
      });
    }
    await tx.memberHistory.create({
      data: {
        memberId: member.id,
        actor: `${who.platform}:${who.userId}`,
        action: "access.claimed",
        reason: `${mine.length} target(s) re-applied`,
      },
    });
    return mine.length;
  });
  deps.log.info(
    { event: "access.claimed", memberId: identity.memberId, platform: who.platform, owed },
    "fan claimed their access",
  );
  if (owed > 0) deps.onWork?.();
  else if (!(await hasEntitlement(deps.db, identity.memberId, now))) throw new DomainError("not_a_member");
  return { owed };
}

async function hasEntitlement(db: Db, memberId: string, now: Date): Promise<boolean> {
  const settings = await getSettings(db);
  const subs = await db.subscription.findMany({ where: { memberId }, include: { holds: true } });
  return subs.some((s) => isEntitledNow(s, settings.graceDays, now));
}
