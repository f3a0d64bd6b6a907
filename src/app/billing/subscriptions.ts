import { isBillingStatus, nextPastDueSince } from "../../core/membership.ts";
import type { Logger } from "../../log.ts";
import type { Tx } from "../db.ts";
import { memberLabel, recordFeed, tierLabel } from "../feed.ts";
import { queueLinkNudges } from "../members/linkNudge.ts";
import {
  cancelPaymentReminders,
  type PauseNotice,
  queueCancellationNotice,
  queuePauseNotice,
  queuePaymentReminders,
} from "../membership/fanMessages.ts";
import { type SyncContext, syncMemberAccess } from "../membership/syncMemberAccess.ts";
import { getSettings } from "../settings.ts";
import type { SubscriptionState } from "./billing.ts";
import { META } from "./metadata.ts";
import type { ApplyResult } from "./types.ts";

/**
 * The member a Stripe customer belongs to, or null: a customer the ledger does not know is not a
 * member, whatever an event says (the bot creates every member's customer, see members/customer.ts).
 * The one way a customer gets attached is a Checkout Session the bot made (`claim`): its metadata
 * names the member, and only a member without a customer yet takes it.
 */
async function findMember(
  tx: Tx,
  customerId: string,
  metadata: Record<string, string>,
  claim: boolean,
  log: Logger,
): Promise<string | null> {
  const byCustomer = await tx.member.findUnique({
    where: { stripeCustomerId: customerId },
    select: { id: true },
  });
  if (byCustomer) return byCustomer.id;
  const claimedId = claim ? metadata[META.memberId] : undefined;
  if (claimedId) {
    const byMeta = await tx.member.findUnique({ where: { id: claimedId } });
    if (byMeta && byMeta.stripeCustomerId === null) {
      await tx.member.update({ where: { id: byMeta.id }, data: { stripeCustomerId: customerId } });
      await tx.memberHistory.create({
        data: {
          memberId: byMeta.id,
          actor: "stripe",
          action: "member.customer",
          toState: customerId,
          reason: `Stripe customer ${customerId} attached by the member's own checkout`,
        },
      });
      log.info(
        { event: "stripe.customer_attached", customerId, memberId: byMeta.id },
        "the member's checkout attached its Stripe customer",
      );
      return byMeta.id;
    }
    log.warn(
      {
        event: "stripe.unknown_customer",
        customerId,
        claimedMemberId: claimedId,
        why: byMeta ? "the member already has another customer" : "no such member",
      },
      "checkout names a member that cannot take this customer: nothing recorded",
    );
    return null;
  }
  log.warn(
    { event: "stripe.unknown_customer", customerId },
    "customer unknown to the ledger (not created by tribegate): nothing recorded",
  );
  return null;
}

/**
 * Applies Stripe's current state of a customer's subscriptions (or a lifetime purchase) to the
 * ledger and re-plans the member's access. Used by webhooks and by reconciliation.
 */
export async function applyCustomerStates(
  tx: Tx,
  input: {
    customerId: string;
    metadata: Record<string, string>;
    states: readonly SubscriptionState[];
    paymentIntentId: string | null;
    /** The metadata is a Checkout Session's the bot made: it may attach the customer to its member. */
    claim?: boolean;
  },
  fetchedAt: Date,
  ctx: SyncContext,
  log: Logger,
): Promise<ApplyResult> {
  const memberId = await findMember(tx, input.customerId, input.metadata, input.claim ?? false, log);
  if (memberId === null) {
    return {
      status: "ignored",
      outcome: `customer ${input.customerId} unknown to the ledger: not a tribegate member, nothing recorded`,
    };
  }
  const member = { id: memberId };
  const changes: string[] = [];
  const becamePastDue: string[] = [];
  const cancelChanged: SubscriptionState[] = [];
  const pauseNotices: { id: string; notice: PauseNotice }[] = [];
  let plannable = false;
  for (const s of input.states) {
    const change = await upsertSubscription(tx, member.id, s, input.paymentIntentId, fetchedAt, ctx, log);
    if (change) {
      if (change.summary) changes.push(change.summary);
      if (change.becamePastDue) becamePastDue.push(s.id);
      // Out of past due (paid, or ended): the reminders of that failure not sent yet are dropped.
      if (change.leftPastDueSince) await cancelPaymentReminders(tx, s.id, change.leftPastDueSince);
      if (change.cancelChanged) cancelChanged.push(s);
      if (change.pauseNotice) pauseNotices.push({ id: s.id, notice: change.pauseNotice });
      plannable = true;
    }
  }
  // Nothing that access depends on changed (a second event about the same checkout, a replay with
  // a new id): the ledger's jobs already match, so skip re-planning.
  const r = plannable ? await syncMemberAccess(tx, member.id, ctx) : { grants: 0, revokes: 0 };
  for (const subId of becamePastDue) {
    const sub = await tx.subscription.findUnique({ where: { id: subId } });
    if (!sub?.pastDueSince) continue;
    await queuePaymentReminders(tx, {
      memberId: member.id,
      subscriptionId: subId,
      pastDueSince: sub.pastDueSince,
      now: ctx.now,
    });
  }
  // The fan canceled (or took it back) while the subscription still runs: one confirmation.
  for (const s of cancelChanged) {
    if (s.status !== "active" && s.status !== "trialing") continue;
    if (s.cancelAtPeriodEnd && s.currentPeriodEnd && s.currentPeriodEnd.getTime() <= ctx.now.getTime())
      continue;
    await queueCancellationNotice(tx, {
      memberId: member.id,
      subscriptionId: s.id,
      cancelAtPeriodEnd: s.cancelAtPeriodEnd,
      periodEnd: s.currentPeriodEnd,
      now: ctx.now,
    });
    log.info(
      {
        event: s.cancelAtPeriodEnd ? "member.cancel_notice_queued" : "member.resume_notice_queued",
        memberId: member.id,
        subscriptionId: s.id,
      },
      s.cancelAtPeriodEnd ? "cancellation confirmation queued" : "resumption notice queued",
    );
  }
  // A pause the fan did not make or lift from the chat (Stripe's Dashboard, or Stripe at its planned
  // end): the fan hears it, once.
  for (const { id, notice } of pauseNotices) {
    await queuePauseNotice(tx, notice.template, {
      memberId: member.id,
      subscriptionId: id,
      pausedSince: notice.pausedSince,
      now: ctx.now,
    });
    log.info(
      { event: `member.${notice.template}_notice_queued`, memberId: member.id, subscriptionId: id },
      notice.template === "pause_started"
        ? "payments paused outside the chat: the fan is told"
        : "the pause ended (on schedule, or lifted outside the chat): resumption notice queued",
    );
  }
  // A checkout completed: a tier that also opens the other platform is worth one nudge to /link.
  if (input.claim) await queueLinkNudges(tx, member.id, ctx.now, log);
  const summary = changes.length ? changes.join("; ") : "no subscription change";
  return {
    status: "applied",
    outcome: `${summary}; ${r.grants} grant(s), ${r.revokes} revoke(s)`,
    memberId: member.id,
  };
}

/** Writes Stripe's state of one subscription unless a newer read is already stored. */
async function upsertSubscription(
  tx: Tx,
  memberId: string,
  s: SubscriptionState,
  paymentIntentId: string | null,
  fetchedAt: Date,
  ctx: SyncContext,
  log: Logger,
): Promise<{
  summary: string;
  becamePastDue: boolean;
  /** The subscription left past due: when that failure began. */
  leftPastDueSince: Date | null;
  cancelChanged: boolean;
  /** A pause began, or ended, that the fan did not make or lift from the chat: the fan is told. */
  pauseNotice: PauseNotice | null;
} | null> {
  const existing = await tx.subscription.findUnique({ where: { id: s.id } });
  if (existing && existing.syncedAt.getTime() > fetchedAt.getTime()) return null;
  const price = s.priceId ? await tx.tierPrice.findUnique({ where: { stripePriceId: s.priceId } }) : null;
  if (!price) {
    log.warn(
      { event: "stripe.unknown_price", subscriptionId: s.id, priceId: s.priceId },
      "subscription to a price no tier sells: recorded, owed nothing",
    );
  }
  const status = isBillingStatus(s.status) ? s.status : "canceled";
  const prev =
    existing && isBillingStatus(existing.status)
      ? { status: existing.status, pastDueSince: existing.pastDueSince }
      : null;
  const pastDueSince = nextPastDueSince(prev, status, fetchedAt);
  const pause = await pauseOf(tx, existing, s, fetchedAt);
  const data = {
    memberId,
    tierId: price?.tierId ?? null,
    stripePriceId: s.priceId,
    kind: status === "lifetime" ? ("lifetime" as const) : ("recurring" as const),
    status,
    currentPeriodEnd: s.currentPeriodEnd,
    cancelAtPeriodEnd: s.cancelAtPeriodEnd,
    pastDueSince,
    ...pause,
    amount: s.amount,
    currency: s.currency,
    interval: s.interval,
    syncedAt: fetchedAt,
    startedAt: s.startedAt,
    endedAt: s.endedAt,
    ...(paymentIntentId ? { paymentIntentId } : {}),
  };
  await tx.subscription.upsert({ where: { id: s.id }, create: { id: s.id, ...data }, update: data });

  const statusChanged = existing?.status !== status;
  const tierChanged = existing !== null && existing.tierId !== data.tierId;
  const cancelChanged = existing !== null && existing.cancelAtPeriodEnd !== s.cancelAtPeriodEnd;
  const periodChanged =
    existing !== null &&
    (existing.currentPeriodEnd?.getTime() ?? null) !== (s.currentPeriodEnd?.getTime() ?? null);
  const leftPastDueSince = prev?.status === "past_due" && status !== "past_due" ? prev.pastDueSince : null;
  const wasPaused = existing !== null && existing.pausedSince !== null;
  const pauseChanged = wasPaused !== (pause.pausedSince !== null);
  const pauseEnd = pauseChanged && !pause.pausedSince ? existing?.pauseResumesAt : null;
  // Stripe lifted the pause by itself at its resumes_at, or someone other than the fan from the
  // chat lifted it early (the chat's Resume button marks the subscription "resumed"; its answer
  // told the fan already).
  const pauseAccessMark = s.metadata[META.pauseAccess];
  const resumedUntold =
    pauseChanged &&
    !pause.pausedSince &&
    ((pauseEnd != null && pauseEnd.getTime() <= fetchedAt.getTime()) || pauseAccessMark !== "resumed");
  // A pause that began without the chat's Pause button (which marks it "kept" or "lost").
  const pausedUntold =
    pauseChanged && pause.pausedSince !== null && pauseAccessMark !== "kept" && pauseAccessMark !== "lost";
  const pauseMoved =
    !pauseChanged &&
    pause.pausedSince !== null &&
    (existing?.pauseResumesAt?.getTime() ?? null) !== (pause.pauseResumesAt?.getTime() ?? null);
  if (!statusChanged && !tierChanged && !cancelChanged && !pauseChanged)
    return periodChanged || pauseMoved
      ? {
          summary: "",
          becamePastDue: false,
          leftPastDueSince: null,
          cancelChanged: false,
          pauseNotice: null,
        }
      : null;
  const parts: string[] = [];
  if (statusChanged) parts.push(`${existing?.status ?? "new"} → ${status}`);
  if (tierChanged) parts.push(`tier ${existing?.tierId ?? "none"} → ${data.tierId ?? "unknown price"}`);
  if (cancelChanged)
    parts.push(
      s.cancelAtPeriodEnd
        ? `cancels on ${s.currentPeriodEnd?.toISOString() ?? "period end"}`
        : "cancellation withdrawn",
    );
  if (pauseChanged)
    parts.push(
      pause.pausedSince
        ? `payments paused until ${pause.pauseResumesAt?.toISOString() ?? "resumed"}, access ${pause.pauseKeepsAccess ? "kept" : "lost"}`
        : "payments resumed",
    );
  const summary = `subscription ${s.id}: ${parts.join(", ")}`;
  await tx.memberHistory.create({
    data: {
      memberId,
      actor: ctx.actor,
      action:
        tierChanged && !statusChanged
          ? "subscription.tier"
          : pauseChanged && !statusChanged && !tierChanged && !cancelChanged
            ? pause.pausedSince
              ? "subscription.paused"
              : "subscription.resumed"
            : "subscription.status",
      subscriptionId: s.id,
      fromState: existing ? `${existing.status}${existing.tierId ? ` (${existing.tierId})` : ""}` : null,
      toState: `${status}${data.tierId ? ` (${data.tierId})` : ""}`,
      reason: summary,
      stripeEventId: ctx.stripeEventId,
    },
  });
  await feedOfChange(tx, memberId, {
    was: existing ? { status: existing.status, tierId: existing.tierId } : null,
    now: { status, tierId: data.tierId },
    s,
    tierChanged,
    cancelChanged,
    at: ctx.now,
  });
  return {
    summary,
    becamePastDue: status === "past_due" && prev?.status !== "past_due",
    leftPastDueSince,
    cancelChanged,
    pauseNotice:
      pausedUntold && pause.pausedSince
        ? { template: "pause_started", pausedSince: pause.pausedSince }
        : resumedUntold && existing?.pausedSince
          ? { template: "pause_resumed", pausedSince: existing.pausedSince }
          : null,
  };
}

/**
 * The ledger's record of Stripe's `pause_collection`: since when it is paused (the first read that
 * saw it), until when, and whether the fan keeps access meanwhile. That choice is the one the pause
 * began with: the subscription's metadata when the fan paused from the chat, else the one already
 * recorded for this pause, else the creator's setting now (a pause made in Stripe's Dashboard).
 */
async function pauseOf(
  tx: Tx,
  existing: { pausedSince: Date | null; pauseKeepsAccess: boolean } | null,
  s: SubscriptionState,
  fetchedAt: Date,
): Promise<{ pausedSince: Date | null; pauseResumesAt: Date | null; pauseKeepsAccess: boolean }> {
  if (!s.pause) return { pausedSince: null, pauseResumesAt: null, pauseKeepsAccess: false };
  const chosen = s.metadata[META.pauseAccess];
  const pauseKeepsAccess =
    chosen === "kept" || chosen === "lost"
      ? chosen === "kept"
      : existing?.pausedSince
        ? existing.pauseKeepsAccess
        : (await getSettings(tx)).pauseKeepsAccess;
  return {
    pausedSince: existing?.pausedSince ?? fetchedAt,
    pauseResumesAt: s.pause.resumesAt,
    pauseKeepsAccess,
  };
}

/**
 * Statuses of a member for the feed: access open (past due keeps it during grace), or paused (the
 * fan means to come back): going in is a new member, going out is the end of the membership.
 */
const ENTITLED = new Set(["active", "trialing", "past_due", "lifetime", "paused"]);

/**
 * The creator's feed lines a subscription change makes, in its transaction (src/app/feed.ts):
 * a new member, a tier change, a cancellation (scheduled, or the end), a failed payment, a recovered one.
 */
async function feedOfChange(
  tx: Tx,
  memberId: string,
  c: {
    was: { status: string; tierId: string | null } | null;
    now: { status: string; tierId: string | null };
    s: SubscriptionState;
    tierChanged: boolean;
    cancelChanged: boolean;
    at: Date;
  },
): Promise<void> {
  const wasIn = c.was !== null && ENTITLED.has(c.was.status);
  const isIn = ENTITLED.has(c.now.status);
  if (!wasIn && !isIn) return;
  const who = await memberLabel(tx, memberId);
  const tier = await tierLabel(tx, c.now.tierId);
  if (!wasIn) {
    await recordFeed(
      tx,
      { kind: "member_new", params: { who, tier, trial: c.now.status === "trialing" } },
      c.at,
    );
    return;
  }
  if (!isIn) {
    await recordFeed(tx, { kind: "cancellation", params: { who, tier, ended: true, endsOn: null } }, c.at);
    return;
  }
  if (c.tierChanged)
    await recordFeed(
      tx,
      { kind: "tier_change", params: { who, from: await tierLabel(tx, c.was?.tierId ?? null), to: tier } },
      c.at,
    );
  if (c.cancelChanged && c.s.cancelAtPeriodEnd)
    await recordFeed(
      tx,
      {
        kind: "cancellation",
        params: { who, tier, ended: false, endsOn: c.s.currentPeriodEnd?.toISOString() ?? null },
      },
      c.at,
    );
  if (c.now.status === "past_due" && c.was?.status !== "past_due")
    await recordFeed(tx, { kind: "payment_failed", params: { who, tier } }, c.at);
  if (c.was?.status === "past_due" && c.now.status !== "past_due")
    await recordFeed(tx, { kind: "payment_recovered", params: { who, tier } }, c.at);
}
