import { NetworkError } from "../../errors.ts";
import type { Logger } from "../../log.ts";
import type { Billing } from "../billing/billing.ts";
import type { Db } from "../db.ts";
import type { FanNotice, Notifier } from "../notify.ts";
import { getSettings } from "../settings.ts";
import type { TaskHandler } from "../taskWorker.ts";
import { portalReturnUrl } from "../urls.ts";
import type { Clock } from "../worker.ts";
import { syncMemberAccess } from "./syncMemberAccess.ts";

/**
 * Durable timers and messages of a membership:
 * - member.review: a grace period or a paid period ended; re-plan the member's access.
 * - member.notify: tell the fan on every platform they linked (payment trouble, with the portal link).
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
  return {
    "member.review": async (payload) => {
      const memberId = (payload as { memberId?: string }).memberId;
      if (!memberId) return { outcome: "dead", error: "payload without memberId" };
      const now = deps.clock.now();
      const r = await deps.db.$transaction((tx) =>
        syncMemberAccess(tx, memberId, {
          actor: "system",
          reason: "scheduled review (grace or paid period ended)",
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
      let notice: FanNotice;
      if (p.template === "payment_failed") {
        let portalUrl: string | null = null;
        if (member.stripeCustomerId) {
          try {
            // Nobody waits at a keyboard for this notice: background work in the Stripe budget.
            portalUrl = await deps.billing
              .withPriority("background")
              .createPortal(member.stripeCustomerId, portalReturnUrl(deps.publicBaseUrl));
          } catch (err) {
            if (err instanceof NetworkError) return { outcome: "retry", error: err.message };
            deps.log.warn(
              { event: "notify.portal_failed", memberId: member.id, err },
              "could not create a portal link for the reminder",
            );
          }
        }
        notice = { template: "payment_failed", portalUrl, graceDays: (await getSettings(deps.db)).graceDays };
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
        if (!platform)
          return { outcome: "done", note: `no ${q.platform} platform attached: nothing to link` };
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
    },
  };
}
