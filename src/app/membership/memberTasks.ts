import { NetworkError } from "../../errors.ts";
import type { Prisma } from "../../generated/prisma/client.ts";
import type { Logger } from "../../log.ts";
import type { Billing } from "../billing/billing.ts";
import type { Db } from "../db.ts";
import type { FanNotice, Notifier } from "../notify.ts";
import { getSettings } from "../settings.ts";
import { scheduleTask } from "../tasks.ts";
import type { TaskHandler } from "../taskWorker.ts";
import { portalReturnUrl } from "../urls.ts";
import type { Clock, JobResult } from "../worker.ts";
import { graceReminder, paymentLastDayKey, subscriptionFacts } from "./fanMessages.ts";
import { syncMemberAccess } from "./syncMemberAccess.ts";

/**
 * Durable timers and messages of a membership:
 * - member.review: a grace period or a paid period ended; re-plan the member's access.
 * - member.notify: tell the fan on every platform they linked (payment trouble with the portal link,
 *   the days of grace left and the last day, a trial ending, a cancellation or its withdrawal).
 */
export function memberTaskHandlers(deps: {
  db: Db;
  billing: Billing;
  clock: Clock;
  notifiers: readonly Notifier[];
  publicBaseUrl: string;
  log: Logger;
  onWork?: () => void;
}): Record<string, TaskHandler> {
  /** A portal link for a reminder, or null (the message goes without it); "retry" on a network failure. */
  async function portalFor(member: { id: string; stripeCustomerId: string | null }): Promise<string | null> {
    if (!member.stripeCustomerId) return null;
    try {
      // Nobody waits at a keyboard for this notice: background work in the Stripe budget.
      return await deps.billing
        .withPriority("background")
        .createPortal(member.stripeCustomerId, portalReturnUrl(deps.publicBaseUrl));
    } catch (err) {
      if (err instanceof NetworkError) throw err;
      deps.log.warn(
        { event: "notify.portal_failed", memberId: member.id, err },
        "could not create a portal link for the reminder",
      );
      return null;
    }
  }

  /**
   * The message about a subscription (payment reminders, trial end, cancellation), built from the
   * ledger as it is when the message is due: nothing goes when it is no longer true (the fan paid,
   * the trial was converted, the cancellation was taken back).
   */
  async function subscriptionNotice(
    member: { id: string; stripeCustomerId: string | null },
    template: SubscriptionTemplate,
    p: SubscriptionNoticePayload,
  ): Promise<{ notice: FanNotice; result?: undefined } | { notice?: undefined; result: JobResult }> {
    const skip = (why: string): { result: JobResult } => {
      deps.log.info(
        { event: "notify.skipped", memberId: member.id, template, subscriptionId: p.subscriptionId, why },
        "message no longer due",
      );
      return { result: { outcome: "done", note: `not sent: ${why}` } };
    };
    const now = deps.clock.now();
    const facts = p.subscriptionId ? await subscriptionFacts(deps.db, p.subscriptionId) : null;
    // A reminder queued before reminders named their subscription: the full grace period, as then.
    if (!p.subscriptionId && template === "payment_failed") {
      const portalUrl = await portalFor(member);
      return { notice: { template, portalUrl, daysLeft: (await getSettings(deps.db)).graceDays } };
    }
    if (!facts) return skip("subscription unknown");
    switch (template) {
      case "payment_failed":
      case "payment_last_day": {
        const graceDays = (await getSettings(deps.db)).graceDays;
        const due = graceReminder(
          facts,
          { pastDueSince: p.pastDueSince, lastDay: template === "payment_last_day" },
          graceDays,
          now,
        );
        if (!due.send) {
          if (due.moveTo && p.subscriptionId && facts.pastDueSince) {
            const moveTo = due.moveTo;
            const pastDueSince = facts.pastDueSince;
            const subscriptionId = p.subscriptionId;
            await deps.db.$transaction((tx) =>
              scheduleTask(tx, {
                key: paymentLastDayKey(subscriptionId, pastDueSince),
                kind: "member.notify",
                payload: { ...p, memberId: member.id, template },
                runAfter: moveTo,
                now,
              }),
            );
          }
          return skip(due.why);
        }
        const portalUrl = await portalFor(member);
        return {
          notice:
            template === "payment_failed"
              ? { template, portalUrl, daysLeft: due.daysLeft }
              : { template, portalUrl },
        };
      }
      case "trial_ending": {
        if (facts.status !== "trialing") return skip(`trial over (${facts.status})`);
        if (facts.cancelAtPeriodEnd) return skip("canceled before the trial ends");
        const endsOn = p.trialEnd ? new Date(p.trialEnd) : facts.currentPeriodEnd;
        if (!endsOn || Number.isNaN(endsOn.getTime())) return skip("no trial end");
        return {
          notice: { template, tierName: facts.tierName ?? "", endsOn, portalUrl: await portalFor(member) },
        };
      }
      case "cancel_scheduled": {
        if (!facts.cancelAtPeriodEnd || !isRunning(facts.status))
          return skip(`no cancellation pending (${facts.status})`);
        return {
          notice: {
            template,
            tierName: facts.tierName ?? "",
            endsOn: facts.currentPeriodEnd,
            portalUrl: await portalFor(member),
          },
        };
      }
      case "cancel_withdrawn": {
        if (facts.cancelAtPeriodEnd || !isRunning(facts.status))
          return skip(`not renewing (${facts.status})`);
        return { notice: { template, tierName: facts.tierName ?? "" } };
      }
      case "pause_started": {
        if (!facts.pausedSince || facts.pausedSince.toISOString() !== p.pausedSince)
          return skip("that pause is over");
        return {
          notice: {
            template,
            tierName: facts.tierName ?? "",
            until: facts.pauseResumesAt,
            keepsAccess: facts.pauseKeepsAccess,
          },
        };
      }
      case "pause_resumed": {
        if (facts.pausedSince || !isRunning(facts.status)) return skip(`not running (${facts.status})`);
        return { notice: { template, tierName: facts.tierName ?? "" } };
      }
    }
  }

  return {
    "member.review": async (payload) => {
      const memberId = (payload as { memberId?: string }).memberId;
      if (!memberId) return { outcome: "dead", error: "payload without memberId" };
      const now = deps.clock.now();
      const r = await deps.db.$transaction((tx) =>
        syncMemberAccess(tx, memberId, {
          actor: "system",
          reason: "scheduled review (grace or paid period ended, or a tenure step reached)",
          stripeEventId: null,
          now,
        }),
      );
      if (r.grants + r.revokes > 0) deps.onWork?.();
      return { outcome: "done", note: `${r.grants} grant(s), ${r.revokes} revoke(s)` };
    },

    "member.notify": async (payload) => {
      const p = payload as { memberId?: string; template?: string; tierName?: string | null };
      if (!p.memberId || !p.template)
        return { outcome: "dead", error: "payload without memberId or template" };
      const member = await deps.db.member.findUnique({
        where: { id: p.memberId },
        include: { identities: true },
      });
      if (!member) return { outcome: "done", note: "member gone" };
      try {
        return await notifyMember(member, { ...p, template: p.template }, payload);
      } catch (err) {
        if (err instanceof NetworkError) return { outcome: "retry", error: err.message };
        throw err;
      }
    },
  };

  async function notifyMember(
    member: Prisma.MemberGetPayload<{ include: { identities: true } }>,
    p: { template: string; tierName?: string | null },
    payload: unknown,
  ): Promise<JobResult> {
    let notice: FanNotice;
    if (
      p.template === "payment_failed" ||
      p.template === "payment_last_day" ||
      p.template === "trial_ending" ||
      p.template === "cancel_scheduled" ||
      p.template === "cancel_withdrawn" ||
      p.template === "pause_started" ||
      p.template === "pause_resumed"
    ) {
      const built = await subscriptionNotice(member, p.template, payload as SubscriptionNoticePayload);
      if (!built.notice) return built.result;
      notice = built.notice;
    } else if (p.template === "access_granted") {
      notice = { template: "access_granted", tierName: p.tierName ?? "" };
    } else if (p.template === "poll_commitment") {
      const q = payload as { question?: string; option?: string; stage?: string };
      notice = {
        template: "poll_commitment",
        question: q.question ?? "",
        option: q.option ?? "",
        stage: q.stage === "shipped" ? "shipped" : "in_the_works",
      };
    } else if (p.template === "idea_decided") {
      const q = payload as { title?: string; decision?: string; reason?: string };
      // "accepted": a notice queued before the lifecycle named it "shortlisted".
      const decision =
        q.decision === "accepted" || q.decision === "shortlisted"
          ? "shortlisted"
          : q.decision === "merged"
            ? "merged"
            : "declined";
      notice = {
        template: "idea_decided",
        title: q.title ?? "",
        decision,
        ...(q.reason ? { reason: q.reason } : {}),
      };
    } else if (p.template === "idea_won") {
      const q = payload as { title?: string; question?: string };
      // The name as the author chose it when the message goes, not when the poll closed.
      notice = {
        template: "idea_won",
        title: q.title ?? "",
        question: q.question ?? "",
        credit: member.creditName,
      };
    } else if (p.template === "idea_shipped") {
      notice = { template: "idea_shipped", title: (payload as { title?: string }).title ?? "" };
    } else if (p.template === "link_nudge") {
      // The platform to link: one of the platforms this process serves (the queued payload says which).
      const q = payload as { platform?: string };
      const platform = deps.notifiers.map((n) => n.platform).find((x) => x === q.platform);
      if (!platform) return { outcome: "done", note: `no ${q.platform} platform attached: nothing to link` };
      // Linked since the payment: nothing left to nudge about.
      if (member.identities.some((i) => i.platform === platform))
        return { outcome: "done", note: `already linked on ${platform}` };
      notice = { template: "link_nudge", tierName: p.tierName ?? "", platform };
    } else if (p.template === "access_revoked") {
      notice = { template: "access_revoked", tierName: p.tierName ?? null };
    } else {
      return { outcome: "dead", error: `unknown template ${p.template}` };
    }
    const sent: string[] = [];
    for (const identity of member.identities) {
      const notifier = deps.notifiers.find((n) => n.platform === identity.platform);
      if (!notifier) continue;
      const r = await notifier.notify(identity.platformUserId, identity.locale, notice);
      if (r.outcome === "retry") return r;
      sent.push(`${identity.platform}:${r.outcome === "done" ? (r.note ?? "sent") : r.error}`);
    }
    return { outcome: "done", note: sent.length ? sent.join(", ") : "no platform to notify on" };
  }
}

type SubscriptionTemplate =
  | "payment_failed"
  | "payment_last_day"
  | "trial_ending"
  | "cancel_scheduled"
  | "cancel_withdrawn"
  | "pause_started"
  | "pause_resumed";

/** What a subscription message's task carries (see fanMessages.ts). */
interface SubscriptionNoticePayload {
  subscriptionId?: string;
  /** The failure a payment reminder is about (ISO). */
  pastDueSince?: string;
  /** The end of the trial Stripe announced (ISO). */
  trialEnd?: string;
  /** The pause a pause notice is about: when it began (ISO). */
  pausedSince?: string;
}

/** A subscription that still runs (and renews unless canceled). */
const isRunning = (status: string): boolean => status === "active" || status === "trialing";
