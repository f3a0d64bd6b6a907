import {
  type AccessAction,
  type AccessTarget,
  diffAccess,
  type ExtraRoles,
  type Identity,
  type LedgerAccess,
  type MemberAccessPlan,
  type Platform,
  parseTargetKey,
  planMemberAccess,
  type SubscriptionView,
  targetKey,
} from "../../core/access.ts";
import { DAY_MS } from "../../core/membership.ts";
import type { Prisma } from "../../generated/prisma/client.ts";
import { wantAccess } from "../access/jobs.ts";
import type { Db, Tx } from "../db.ts";
import { extraRolesOf, getSettings } from "../settings.ts";
import { cancelTask, scheduleTask } from "../tasks.ts";
import { billingSnapshotOf } from "./entitlement.ts";

export interface SyncContext {
  /** Who caused it: "stripe", "reconcile", "system", "discord:<id>", "telegram:<id>". */
  actor: string;
  reason: string;
  stripeEventId: string | null;
  now: Date;
}

export interface SyncResult {
  grants: number;
  revokes: number;
  reviewAt: Date | null;
  remind: boolean;
  /** What the member is owed now, as "platform:userId|targetKey". */
  owed: ReadonlySet<string>;
}

export const owedKey = (platform: string, userId: string, target: AccessTarget): string =>
  `${platform}:${userId}|${targetKey(target)}`;

/** What the ledger knows of a member, as loaded for planning. */
export const MEMBER_PLAN_INCLUDE = {
  identities: true,
  subscriptions: { include: { holds: { where: { liftedAt: null } } } },
} satisfies Prisma.MemberInclude;

export type MemberForPlan = Prisma.MemberGetPayload<{ include: typeof MEMBER_PLAN_INCLUDE }>;

export interface JobForPlan {
  platform: Platform;
  platformUserId: string;
  targetKey: string;
  action: "grant" | "revoke";
  state: "pending" | "running" | "done" | "dead";
}

/** Targets of every tier, keyed by tier id. */
export async function loadTierTargets(
  db: Db | Tx,
  tierIds?: readonly string[],
): Promise<Map<string, AccessTarget[]>> {
  const rows = await db.tierAccess.findMany({ where: tierIds ? { tierId: { in: [...tierIds] } } : {} });
  const map = new Map<string, AccessTarget[]>();
  for (const r of rows) {
    const target = parseTargetKey(r.targetKey);
    if (!target) continue;
    const list = map.get(r.tierId) ?? [];
    list.push(target);
    map.set(r.tierId, list);
  }
  return map;
}

export function identitiesOf(member: MemberForPlan): Identity[] {
  return member.identities.map((i) => ({ platform: i.platform, userId: i.platformUserId }));
}

/**
 * The plan for one member and the actions that take the ledger's last wishes to it. Pure over the
 * loaded rows: used for one member (syncMemberAccess) and for all at once (reconciliation).
 * With `force`, a dead grant counts as not granted, so it is wished again.
 */
export function decideMemberAccess(input: {
  member: MemberForPlan;
  jobs: readonly JobForPlan[];
  tierTargets: ReadonlyMap<string, readonly AccessTarget[]>;
  graceDays: number;
  now: Date;
  force?: boolean;
  /** The creator's optional roles beyond the tiers' (off when not given). */
  extra?: ExtraRoles;
}): { plan: MemberAccessPlan; actions: AccessAction[] } {
  const { member } = input;
  const subscriptions: SubscriptionView[] = [];
  if (member.deletedAt === null && member.suspendedAt === null) {
    for (const s of [...member.subscriptions].sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime())) {
      const billing = billingSnapshotOf(s);
      if (s.tierId !== null && billing)
        subscriptions.push({
          id: s.id,
          tierId: s.tierId,
          billing,
          startedAt: s.startedAt,
          endedAt: s.endedAt,
        });
    }
  }
  const plan = planMemberAccess({
    subscriptions,
    tierTargets: input.tierTargets,
    identities: identitiesOf(member),
    policy: { graceMs: input.graceDays * DAY_MS },
    now: input.now,
    ...(input.extra ? { extra: input.extra } : {}),
  });
  const ledger: LedgerAccess[] = [];
  for (const j of input.jobs) {
    const target = parseTargetKey(j.targetKey);
    const action = input.force && j.state === "dead" && j.action === "grant" ? "revoke" : j.action;
    if (target) ledger.push({ identity: { platform: j.platform, userId: j.platformUserId }, target, action });
  }
  return { plan, actions: diffAccess(plan.owed, ledger) };
}

/** What a loaded member is owed now (no job comparison): for "is this account owed X?" questions. */
export async function currentPlan(db: Db | Tx, member: MemberForPlan, now: Date): Promise<MemberAccessPlan> {
  const settings = await getSettings(db);
  const tierTargets = await loadTierTargets(
    db,
    member.subscriptions.flatMap((s) => (s.tierId ? [s.tierId] : [])),
  );
  return decideMemberAccess({
    member,
    jobs: [],
    tierTargets,
    graceDays: settings.graceDays,
    now,
    extra: extraRolesOf(settings),
  }).plan;
}

/** Records the actions as durable jobs, each with a history row, and schedules the next review. */
export async function writeMemberActions(
  tx: Tx,
  memberId: string,
  decided: { plan: MemberAccessPlan; actions: readonly AccessAction[] },
  ctx: SyncContext,
): Promise<SyncResult> {
  const { plan, actions } = decided;
  let grants = 0;
  let revokes = 0;
  for (const a of actions) {
    // The roles beyond the tiers' are given without the tier's welcome (and, the grant's choice
    // kept by the revoke, taken without its goodbye).
    const quiet = a.action === "grant" && a.kind !== "tier";
    const why = `${ctx.reason}; ${whyOf(a, plan)}`;
    await wantAccess(tx, {
      identity: a.identity,
      target: a.target,
      memberId,
      action: a.action,
      reason: why,
      stripeEventId: ctx.stripeEventId,
      now: ctx.now,
      quiet,
    });
    await tx.memberHistory.create({
      data: {
        memberId,
        actor: ctx.actor,
        action: a.action === "grant" ? "access.grant.requested" : "access.revoke.requested",
        subscriptionId: a.subscriptionId ?? null,
        toState: `${a.identity.platform}:${a.identity.userId} ${targetLabel(a.target)}`,
        reason: why,
        stripeEventId: ctx.stripeEventId,
      },
    });
    if (a.action === "grant") grants++;
    else revokes++;
  }
  // The next review: a grace or paid period's end, or the next tenure role's date.
  if (plan.reviewAt) {
    await scheduleTask(tx, {
      key: `review:${memberId}`,
      kind: "member.review",
      payload: { memberId },
      runAfter: plan.reviewAt,
      now: ctx.now,
    });
  } else {
    await cancelTask(tx, `review:${memberId}`);
  }
  return {
    grants,
    revokes,
    reviewAt: plan.reviewAt,
    remind: plan.remind,
    owed: new Set(plan.owed.map((o) => owedKey(o.identity.platform, o.identity.userId, o.target))),
  };
}

/**
 * Brings one member's access jobs in line with what the ledger says they are owed now, inside the
 * caller's transaction: plan (src/core/access.ts), diff against the last wish per identity and
 * target, durable jobs with a history row each, next review scheduled (grace or period end).
 */
export async function syncMemberAccess(
  tx: Tx,
  memberId: string,
  ctx: SyncContext,
  opts: { force?: boolean } = {},
): Promise<SyncResult> {
  const member = await tx.member.findUnique({ where: { id: memberId }, include: MEMBER_PLAN_INCLUDE });
  if (!member) return { grants: 0, revokes: 0, reviewAt: null, remind: false, owed: new Set() };
  const settings = await getSettings(tx);
  const identities = identitiesOf(member);
  const tierTargets = await loadTierTargets(
    tx,
    member.subscriptions.flatMap((s) => (s.tierId ? [s.tierId] : [])),
  );
  const jobs = identities.length
    ? await tx.accessJob.findMany({
        where: { OR: identities.map((i) => ({ platform: i.platform, platformUserId: i.userId })) },
        select: { platform: true, platformUserId: true, targetKey: true, action: true, state: true },
      })
    : [];
  const decided = decideMemberAccess({
    member,
    jobs,
    tierTargets,
    graceDays: settings.graceDays,
    now: ctx.now,
    force: opts.force ?? false,
    extra: extraRolesOf(settings),
  });
  return writeMemberActions(tx, memberId, decided, ctx);
}

/** Why an action is wished, for the history and the platform's audit log. */
function whyOf(a: AccessAction, plan: MemberAccessPlan): string {
  if (a.action === "revoke")
    return "no entitled subscription (nor a trial, alumni or tenure rule) owes it any more";
  const sub = `subscription ${a.subscriptionId} (${plan.entitlements.get(a.subscriptionId ?? "")?.reason ?? "?"})`;
  switch (a.kind) {
    case "trial":
      return `trial role: ${sub} is in its free trial`;
    case "alumni":
      return "alumni role: a former member, owed nothing now";
    case "tenure":
      return `tenure role: ${plan.tenure.months} month(s) of continuous membership since ${plan.tenure.since?.toISOString() ?? "?"}`;
    default:
      return `${sub} of tier ${a.tierId}`;
  }
}

export function targetLabel(t: AccessTarget): string {
  return t.platform === "discord" ? `role ${t.roleId} in guild ${t.guildId}` : `chat ${t.chatId}`;
}
