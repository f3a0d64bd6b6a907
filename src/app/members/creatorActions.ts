import { type Platform, parseTargetKey } from "../../core/access.ts";
import { DomainError } from "../../errors.ts";
import { wantAccess } from "../access/jobs.ts";
import type { Db, Tx } from "../db.ts";
import { syncMemberAccess } from "../membership/syncMemberAccess.ts";
import type { MemberDeps } from "./types.ts";

/**
 * The creator detaches a member's account on one platform (a fan lost that account, or it was linked
 * by mistake), so another account can be linked. The account's access on that platform is revoked
 * through the usual access jobs (for every target it was last granted); the membership, its
 * subscriptions and its other account are untouched. The last account of a membership cannot be
 * unlinked: the subscription would belong to nobody.
 */
export async function unlinkIdentity(
  deps: MemberDeps,
  input: { memberId: string; platform: Platform; actor: string },
): Promise<{ platformUserId: string; username: string | null; revokes: number }> {
  const now = deps.clock.now();
  const result = await deps.db.$transaction(async (tx: Tx) => {
    const identities = await tx.identity.findMany({ where: { memberId: input.memberId } });
    const identity = identities.find((i) => i.platform === input.platform);
    if (!identity) throw new DomainError("member_no_account_on_platform", { platform: input.platform });
    if (identities.length === 1) throw new DomainError("unlink_last_account", { platform: input.platform });
    const who = { platform: identity.platform, userId: identity.platformUserId };
    await tx.identity.delete({
      where: { platform_platformUserId: { platform: who.platform, platformUserId: who.userId } },
    });
    const granted = await tx.accessJob.findMany({
      where: { platform: who.platform, platformUserId: who.userId, action: "grant" },
    });
    for (const job of granted) {
      const target = parseTargetKey(job.targetKey);
      if (!target) continue;
      await wantAccess(tx, {
        identity: who,
        target,
        memberId: input.memberId,
        action: "revoke",
        reason: `${who.platform} account ${who.userId} unlinked from the membership by the creator`,
        stripeEventId: null,
        now,
        quiet: job.quiet,
      });
    }
    await tx.memberHistory.create({
      data: {
        memberId: input.memberId,
        actor: input.actor,
        action: "identity.unlinked",
        fromState: `${who.platform}:${who.userId}`,
        reason: `unlinked by the creator; ${granted.length} access(es) on ${who.platform} revoked`,
      },
    });
    return { platformUserId: who.userId, username: identity.username, revokes: granted.length };
  });
  deps.log.info(
    {
      event: "member.identity_unlinked",
      memberId: input.memberId,
      platform: input.platform,
      platformUserId: result.platformUserId,
      actor: input.actor,
      revokes: result.revokes,
    },
    `${input.platform} account unlinked from the membership`,
  );
  if (result.revokes > 0) deps.onWork?.();
  return result;
}

/** A member as the creator looks them up: accounts, subscriptions, latest history and access jobs. */
export async function lookupMember(
  db: Db,
  query: { platform: Platform; userId: string } | { memberId: string } | { customerId: string },
) {
  const where =
    "memberId" in query
      ? { id: query.memberId }
      : "customerId" in query
        ? { stripeCustomerId: query.customerId }
        : { identities: { some: { platform: query.platform, platformUserId: query.userId } } };
  const member = await db.member.findFirst({
    where,
    include: {
      identities: true,
      subscriptions: { include: { tier: true, holds: true }, orderBy: { startedAt: "desc" } },
      history: { orderBy: { id: "desc" }, take: 20 },
    },
  });
  if (!member) throw new DomainError("member_not_found");
  const jobs = member.identities.length
    ? await db.accessJob.findMany({
        where: {
          OR: member.identities.map((i) => ({ platform: i.platform, platformUserId: i.platformUserId })),
        },
      })
    : [];
  return { ...member, jobs };
}

/** Re-plans a member's access from the ledger; dead grants are tried again. */
export async function resyncMember(deps: MemberDeps, memberId: string, actor: string) {
  const r = await deps.db.$transaction((tx: Tx) =>
    syncMemberAccess(
      tx,
      memberId,
      { actor, reason: "re-sync requested", stripeEventId: null, now: deps.clock.now() },
      { force: true },
    ),
  );
  if (r.grants + r.revokes) deps.onWork?.();
  return r;
}

/** The creator takes a member's access away by hand (and keeps it away until restored). */
export async function suspendMember(deps: MemberDeps, memberId: string, actor: string, reason: string) {
  const now = deps.clock.now();
  const r = await deps.db.$transaction(async (tx: Tx) => {
    const { count } = await tx.member.updateMany({
      where: { id: memberId, suspendedAt: null },
      data: { suspendedAt: now, suspendedReason: reason },
    });
    if (count === 0) throw new DomainError("member_already_suspended");
    await tx.memberHistory.create({
      data: { memberId, actor, action: "member.suspended", reason: reason || "revoked by the creator" },
    });
    return syncMemberAccess(tx, memberId, {
      actor,
      reason: `revoked by the creator${reason ? `: ${reason}` : ""}`,
      stripeEventId: null,
      now,
    });
  });
  deps.log.info(
    { event: "member.suspended", memberId, actor, revokes: r.revokes },
    "member's access revoked by the creator",
  );
  if (r.revokes) deps.onWork?.();
  return r;
}

/** Lifts a suspension: the member gets back what their subscriptions owe them. */
export async function restoreMember(deps: MemberDeps, memberId: string, actor: string) {
  const now = deps.clock.now();
  const r = await deps.db.$transaction(async (tx: Tx) => {
    const { count } = await tx.member.updateMany({
      where: { id: memberId, suspendedAt: { not: null } },
      data: { suspendedAt: null, suspendedReason: null },
    });
    if (count === 0) throw new DomainError("member_not_suspended");
    await tx.memberHistory.create({
      data: { memberId, actor, action: "member.restored", reason: "restored by the creator" },
    });
    return syncMemberAccess(
      tx,
      memberId,
      { actor, reason: "restored by the creator", stripeEventId: null, now },
      { force: true },
    );
  });
  deps.log.info(
    { event: "member.restored", memberId, actor, grants: r.grants },
    "member restored by the creator",
  );
  if (r.grants) deps.onWork?.();
  return r;
}
