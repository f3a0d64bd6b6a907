import {
  type AccessTarget,
  diffAccess,
  type Identity,
  type LedgerAccess,
  parseTargetKey,
  planMemberAccess,
  type SubscriptionView,
} from "../../core/access.ts";
import { type BillingStatus, DAY_MS, type HoldReason, isBillingStatus } from "../../core/membership.ts";
import { wantAccess } from "../access/jobs.ts";
import type { Tx } from "../db.ts";
import { getSettings } from "../settings.ts";
import { scheduleTask, cancelTask } from "../tasks.ts";

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
}

/** Targets of every tier, keyed by tier id. */
export async function loadTierTargets(tx: Tx, tierIds: readonly string[]): Promise<Map<string, AccessTarget[]>> {
  const rows = await tx.tierAccess.findMany({ where: { tierId: { in: [...tierIds] } } });
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

/**
 * Brings one member's access jobs in line with what the ledger says they are owed now: computes
 * the plan (src/core/access.ts), diffs it against the last wish recorded per identity and target,
 * records the new wishes as durable jobs with a history row each, and schedules the next review
 * (grace or period end). Runs inside the caller's transaction.
 */
export async function syncMemberAccess(
  tx: Tx,
  memberId: string,
  ctx: SyncContext,
  opts: { force?: boolean } = {},
): Promise<SyncResult> {
  const member = await tx.member.findUnique({
    where: { id: memberId },
    include: { identities: true, subscriptions: { include: { holds: { where: { liftedAt: null } } } } },
  });
  if (!member) return { grants: 0, revokes: 0, reviewAt: null, remind: false };
  const settings = await getSettings(tx);

  const identities: Identity[] = member.identities.map((i) => ({ platform: i.platform, userId: i.platformUserId }));
  const subscriptions: SubscriptionView[] =
    member.deletedAt !== null || member.suspendedAt !== null
      ? []
      : member.subscriptions
          .filter((s) => s.tierId !== null && isBillingStatus(s.status))
          .sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime())
          .map((s) => ({
            id: s.id,
            tierId: s.tierId as string,
            billing: {
              status: s.status as BillingStatus,
              currentPeriodEnd: s.currentPeriodEnd,
              cancelAtPeriodEnd: s.cancelAtPeriodEnd,
              pastDueSince: s.pastDueSince,
              holds: s.holds.map((h) => h.reason as HoldReason),
            },
          }));
  const tierTargets = await loadTierTargets(
    tx,
    subscriptions.map((s) => s.tierId),
  );
  const plan = planMemberAccess({
    subscriptions,
    tierTargets,
    identities,
    policy: { graceMs: settings.graceDays * DAY_MS },
    now: ctx.now,
  });

  const jobs = identities.length
    ? await tx.accessJob.findMany({
        where: { OR: identities.map((i) => ({ platform: i.platform, platformUserId: i.userId })) },
      })
    : [];
  const ledger: LedgerAccess[] = [];
  for (const j of jobs) {
    const target = parseTargetKey(j.targetKey);
    // A dead grant did not happen: with `force` (reconciliation, creator re-sync) it is tried again.
    const action = opts.force && j.state === "dead" && j.action === "grant" ? "revoke" : j.action;
    if (target) ledger.push({ identity: { platform: j.platform, userId: j.platformUserId }, target, action });
  }

  const actions = diffAccess(plan.owed, ledger);
  let grants = 0;
  let revokes = 0;
  for (const a of actions) {
    const why =
      a.action === "grant"
        ? `${ctx.reason}; subscription ${a.subscriptionId} (${plan.entitlements.get(a.subscriptionId ?? "")?.reason ?? "?"}) of tier ${a.tierId}`
        : `${ctx.reason}; no entitled subscription opens it any more`;
    await wantAccess(tx, {
      identity: a.identity,
      target: a.target,
      memberId,
      action: a.action,
      reason: why,
      stripeEventId: ctx.stripeEventId,
      now: ctx.now,
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

  if (plan.reviewAt) {
    await scheduleTask(tx, { key: `review:${memberId}`, kind: "member.review", payload: { memberId }, runAfter: plan.reviewAt, now: ctx.now });
  } else {
    await cancelTask(tx, `review:${memberId}`);
  }
  return { grants, revokes, reviewAt: plan.reviewAt, remind: plan.remind };
}

function targetLabel(t: AccessTarget): string {
  return t.platform === "discord" ? `role ${t.roleId} in guild ${t.guildId}` : `chat ${t.chatId}`;
}
