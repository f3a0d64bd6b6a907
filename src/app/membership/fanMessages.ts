import { DAY_MS } from "../../core/membership.ts";
import type { Logger } from "../../log.ts";
import type { Db, Tx } from "../db.ts";
import { getSettings } from "../settings.ts";
import { cancelTask, scheduleTask, scheduleTaskOnce } from "../tasks.ts";

/**
 * The messages that tell a fan what happened to their subscription: the payment reminders of a
 * grace period (the days left, then the last day), the end of a free trial, a cancellation and its
 * withdrawal. Each is a durable `member.notify` task keyed by the change it announces (the
 * subscription and the moment or period it is about), so however often the job that noticed the
 * change runs, one message goes; and each is checked again when it is due, so a fan who paid, left
 * or changed their mind meanwhile is not told something that is no longer true.
 */

const NOTIFY = "member.notify";

export const paymentFailedKey = (subId: string, pastDueSince: Date): string =>
  `notify:payment_failed:${subId}:${pastDueSince.toISOString()}`;
export const paymentLastDayKey = (subId: string, pastDueSince: Date): string =>
  `notify:payment_last_day:${subId}:${pastDueSince.toISOString()}`;
export const trialEndingKey = (subId: string, trialEnd: Date): string =>
  `notify:trial_ending:${subId}:${trialEnd.toISOString()}`;
export const cancelNoticeKey = (
  subId: string,
  change: "cancel_scheduled" | "cancel_withdrawn",
  periodEnd: Date | null,
): string => `notify:${change}:${subId}:${periodEnd?.toISOString() ?? "open"}`;

/** When the last-day reminder of a grace period is due: a day before it ends (none for a one-day grace). */
export function lastDayAt(pastDueSince: Date, graceDays: number): Date | null {
  if (graceDays < 2) return null;
  return new Date(pastDueSince.getTime() + (graceDays - 1) * DAY_MS);
}

/**
 * A subscription became past due: the reminder now (counting the days left), and the one on the
 * last day of grace.
 */
export async function queuePaymentReminders(
  tx: Tx,
  input: { memberId: string; subscriptionId: string; pastDueSince: Date; now: Date },
): Promise<void> {
  const { memberId, subscriptionId, pastDueSince, now } = input;
  const payload = { memberId, subscriptionId, pastDueSince: pastDueSince.toISOString() };
  await scheduleTaskOnce(tx, {
    key: paymentFailedKey(subscriptionId, pastDueSince),
    kind: NOTIFY,
    payload: { ...payload, template: "payment_failed" },
    runAfter: now,
    now,
  });
  const lastDay = lastDayAt(pastDueSince, (await getSettings(tx)).graceDays);
  if (lastDay && lastDay.getTime() > now.getTime()) {
    await scheduleTaskOnce(tx, {
      key: paymentLastDayKey(subscriptionId, pastDueSince),
      kind: NOTIFY,
      payload: { ...payload, template: "payment_last_day" },
      runAfter: lastDay,
      now,
    });
  }
}

/**
 * Stripe tried the payment again and it failed again (`invoice.payment_failed`, attempt 2 and
 * later): one more reminder, counting the days of grace left, keyed by the attempt.
 */
export async function queueRetryReminder(
  tx: Tx,
  input: { memberId: string; subscriptionId: string; attempt: number; now: Date },
): Promise<void> {
  const { memberId, subscriptionId, attempt, now } = input;
  if (attempt < 2) return; // the first failure's reminder went when the subscription became past due
  const sub = await tx.subscription.findUnique({ where: { id: subscriptionId } });
  if (!sub || sub.memberId !== memberId || sub.status !== "past_due" || !sub.pastDueSince) return;
  await scheduleTaskOnce(tx, {
    key: `${paymentFailedKey(subscriptionId, sub.pastDueSince)}:attempt-${attempt}`,
    kind: NOTIFY,
    payload: {
      memberId,
      subscriptionId,
      pastDueSince: sub.pastDueSince.toISOString(),
      template: "payment_failed",
    },
    runAfter: now,
    now,
  });
}

/** The subscription left past due (paid, or ended): its reminders not sent yet are dropped. */
export async function cancelPaymentReminders(
  tx: Tx,
  subscriptionId: string,
  pastDueSince: Date,
): Promise<void> {
  await cancelTask(tx, paymentFailedKey(subscriptionId, pastDueSince));
  await cancelTask(tx, paymentLastDayKey(subscriptionId, pastDueSince));
}

/** Stripe says a trial ends soon (`customer.subscription.trial_will_end`): one reminder per trial. */
export async function queueTrialEnding(
  tx: Tx,
  input: { memberId: string; subscriptionId: string; trialEnd: Date; now: Date; log: Logger },
): Promise<void> {
  const { memberId, subscriptionId, trialEnd, now } = input;
  const queued = await scheduleTaskOnce(tx, {
    key: trialEndingKey(subscriptionId, trialEnd),
    kind: NOTIFY,
    payload: { memberId, subscriptionId, template: "trial_ending", trialEnd: trialEnd.toISOString() },
    runAfter: now,
    now,
  });
  if (queued)
    input.log.info(
      { event: "member.trial_ending_queued", memberId, subscriptionId, trialEnd: trialEnd.toISOString() },
      "trial-ending reminder queued",
    );
}

/**
 * A fan set their subscription to cancel at period end, or took the cancellation back: one
 * confirmation per change. The key names the subscription and its period end; a new change of the
 * same kind in the same period (cancel, resume, cancel again) arms the task again.
 */
export async function queueCancellationNotice(
  tx: Tx,
  input: {
    memberId: string;
    subscriptionId: string;
    cancelAtPeriodEnd: boolean;
    periodEnd: Date | null;
    now: Date;
  },
): Promise<void> {
  const { memberId, subscriptionId, now } = input;
  const template = input.cancelAtPeriodEnd ? "cancel_scheduled" : "cancel_withdrawn";
  await scheduleTask(tx, {
    key: cancelNoticeKey(subscriptionId, template, input.periodEnd),
    kind: NOTIFY,
    payload: { memberId, subscriptionId, template },
    runAfter: now,
    now,
  });
}

/**
 * A pause the fan did not make or lift from the chat: the creator paused it in Stripe's Dashboard
 * ("pause_started": until when, and whether access stays open), or Stripe lifted it at its planned
 * end or the creator early ("pause_resumed"). `pausedSince`, when that pause began, names it: the
 * fan is told once of each.
 */
export interface PauseNotice {
  template: "pause_started" | "pause_resumed";
  pausedSince: Date;
}

export async function queuePauseNotice(
  tx: Tx,
  template: PauseNotice["template"],
  input: { memberId: string; subscriptionId: string; pausedSince: Date; now: Date },
): Promise<void> {
  const { memberId, subscriptionId, now } = input;
  const pausedSince = input.pausedSince.toISOString();
  await scheduleTask(tx, {
    key: `notify:${template}:${subscriptionId}:${pausedSince}`,
    kind: NOTIFY,
    payload: { memberId, subscriptionId, template, pausedSince },
    runAfter: now,
    now,
  });
}

/** What a subscription message needs of the ledger when it is due. */
export interface SubscriptionFacts {
  status: string;
  pastDueSince: Date | null;
  currentPeriodEnd: Date | null;
  cancelAtPeriodEnd: boolean;
  /** Payments paused since then (null: not paused). */
  pausedSince: Date | null;
  /** When the pause ends by itself (null: when resumed). */
  pauseResumesAt: Date | null;
  pauseKeepsAccess: boolean;
  tierName: string | null;
}

export async function subscriptionFacts(db: Db, subscriptionId: string): Promise<SubscriptionFacts | null> {
  const sub = await db.subscription.findUnique({
    where: { id: subscriptionId },
    include: { tier: { select: { name: true } } },
  });
  if (!sub) return null;
  return {
    status: sub.status,
    pastDueSince: sub.pastDueSince,
    currentPeriodEnd: sub.currentPeriodEnd,
    cancelAtPeriodEnd: sub.cancelAtPeriodEnd,
    pausedSince: sub.pausedSince,
    pauseResumesAt: sub.pauseResumesAt,
    pauseKeepsAccess: sub.pauseKeepsAccess,
    tierName: sub.tier?.name ?? null,
  };
}

/** The reminder of a grace period that is still true now, or why none is due. */
export function graceReminder(
  facts: SubscriptionFacts | null,
  task: { pastDueSince: string | undefined; lastDay: boolean },
  graceDays: number,
  now: Date,
): { send: true; daysLeft: number } | { send: false; why: string; moveTo?: Date } {
  if (facts?.status !== "past_due" || !facts.pastDueSince)
    return { send: false, why: "payment recovered or subscription ended" };
  // A reminder about an earlier failure (paid, then failed again): the new failure has its own.
  if (task.pastDueSince && facts.pastDueSince.toISOString() !== task.pastDueSince)
    return { send: false, why: "about an earlier failed payment" };
  const left = facts.pastDueSince.getTime() + graceDays * DAY_MS - now.getTime();
  if (left <= 0) return { send: false, why: "grace period over" };
  if (task.lastDay && left > DAY_MS) {
    // The creator lengthened the grace period since: the last day is later.
    const moveTo = lastDayAt(facts.pastDueSince, graceDays);
    if (moveTo) return { send: false, why: "grace period lengthened", moveTo };
  }
  return { send: true, daysLeft: Math.max(1, Math.ceil(left / DAY_MS)) };
}
