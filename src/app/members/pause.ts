import type { Identity } from "../../core/access.ts";
import { DomainError, NetworkError, PlatformError } from "../../errors.ts";
import { META } from "../billing/metadata.ts";
import type { Db } from "../db.ts";
import { getSettings } from "../settings.ts";
import { stripeRefusalRef } from "./stripeRefusal.ts";
import type { MemberDeps } from "./types.ts";

/**
 * A fan pauses their subscription's payments from the chat, when the creator allows it (Stripe's
 * `pause_collection`, invoices voided meanwhile), for 1 month up to the creator's longest pause, and
 * resumes it early if they like. Stripe's answer is only shown to the fan: the ledger learns the
 * pause from the `customer.subscription.updated` webhook that follows (or from reconciliation), and
 * access follows the creator's choice (kept or lost during the pause) through the usual path.
 */

/** What a fan may do about pausing one of their subscriptions now. */
export type PauseChoice =
  | { subscriptionId: string; tierName: string; action: "pause"; months: number[] }
  | { subscriptionId: string; tierName: string; action: "resume"; resumesAt: Date | null };

/** `months` months after `from`, by the calendar (UTC), as Stripe bills. */
export function addMonths(from: Date, months: number): Date {
  const d = new Date(from.getTime());
  const day = d.getUTCDate();
  d.setUTCMonth(d.getUTCMonth() + months, 1);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  return d;
}

async function subscriptionsOf(db: Db, who: Identity) {
  const identity = await db.identity.findUnique({
    where: { platform_platformUserId: { platform: who.platform, platformUserId: who.userId } },
    include: { member: { include: { subscriptions: { include: { tier: true } } } } },
  });
  return identity?.member ?? null;
}

type Sub = NonNullable<Awaited<ReturnType<typeof subscriptionsOf>>>["subscriptions"][number];

/** Why this subscription cannot be paused now, or null when it can. */
function pauseRefusal(s: Sub): DomainError | null {
  if (s.kind === "lifetime" || s.status === "lifetime")
    return new DomainError("pause_lifetime", { tier: s.tier?.name ?? "" });
  if (s.pausedSince) return new DomainError("pause_already", { tier: s.tier?.name ?? "" });
  if (s.status === "trialing") return new DomainError("pause_trialing", { tier: s.tier?.name ?? "" });
  if (s.status !== "active") return new DomainError("pause_not_active", { tier: s.tier?.name ?? "" });
  if (s.cancelAtPeriodEnd) return new DomainError("pause_canceling", { tier: s.tier?.name ?? "" });
  return null;
}

/** The Pause and Resume buttons a fan's membership view offers (none when pausing is off and nothing is paused). */
export async function pauseChoices(db: Db, who: Identity): Promise<PauseChoice[]> {
  const member = await subscriptionsOf(db, who);
  if (!member?.stripeCustomerId) return [];
  const settings = await getSettings(db);
  const months = Array.from({ length: settings.pauseMaxMonths }, (_, i) => i + 1);
  const choices: PauseChoice[] = [];
  for (const s of member.subscriptions) {
    if (!s.tier) continue;
    const base = { subscriptionId: s.id, tierName: s.tier.name };
    if (s.pausedSince && s.status !== "canceled")
      choices.push({ ...base, action: "resume", resumesAt: s.pauseResumesAt });
    else if (settings.pauseAllowed && pauseRefusal(s) === null)
      choices.push({ ...base, action: "pause", months });
  }
  return choices;
}

/**
 * The subscription a button names, if it is the clicker's own. A button's data comes back from the
 * client and can be forged: another's subscription changes nothing, and Stripe is not called.
 */
async function ownSubscription(
  deps: MemberDeps,
  who: Identity,
  subscriptionId: string,
  action: "pause" | "resume",
): Promise<{ memberId: string; sub: Sub }> {
  const member = await subscriptionsOf(deps.db, who);
  if (!member) throw new DomainError("not_a_member");
  const sub = member.subscriptions.find((s) => s.id === subscriptionId);
  if (!sub) {
    deps.log.warn(
      {
        event: `${action}.refused`,
        reason: "not_yours",
        platform: who.platform,
        userId: who.userId,
        subscriptionId,
      },
      `a ${action} button named a subscription that is not the clicker's: nothing changed`,
    );
    throw new DomainError("pause_not_yours");
  }
  return { memberId: member.id, sub };
}

/** Stripe's failures, in the fan's words. */
function stripeFailure(deps: MemberDeps, err: unknown, event: string, fields: Record<string, string>): never {
  if (err instanceof NetworkError) throw new DomainError("stripe_unavailable");
  if (err instanceof PlatformError && err.platform === "stripe")
    throw new DomainError("stripe_refused", { ref: stripeRefusalRef(deps.log, err, event, fields) });
  throw err;
}

export async function pauseMembership(
  deps: MemberDeps,
  who: Identity,
  subscriptionId: string,
  months: number,
): Promise<{ tierName: string; resumesAt: Date; keepsAccess: boolean }> {
  const { memberId, sub } = await ownSubscription(deps, who, subscriptionId, "pause");
  const settings = await getSettings(deps.db);
  const refuse = (error: DomainError, reason: string): never => {
    deps.log.info({ event: "pause.refused", reason, memberId, subscriptionId }, "pause refused");
    throw error;
  };
  if (!settings.pauseAllowed) refuse(new DomainError("pause_not_allowed"), "not_allowed");
  const refusal = pauseRefusal(sub);
  if (refusal) refuse(refusal, refusal.code);
  if (!Number.isInteger(months) || months < 1 || months > settings.pauseMaxMonths)
    refuse(new DomainError("pause_too_long", { max: settings.pauseMaxMonths }), "too_long");
  const resumesAt = addMonths(deps.clock.now(), months);
  const keepsAccess = settings.pauseKeepsAccess;
  try {
    await deps.billing.pauseSubscription(sub.id, {
      resumesAt,
      // The creator's choice now travels with the pause: the webhook applies the one the fan was told.
      metadata: { [META.pauseAccess]: keepsAccess ? "kept" : "lost" },
    });
  } catch (err) {
    stripeFailure(deps, err, "pause.stripe_refused", { memberId, subscriptionId });
  }
  deps.log.info(
    {
      event: "member.pause_requested",
      memberId,
      subscriptionId,
      resumesAt: resumesAt.toISOString(),
      keepsAccess,
    },
    "the fan paused their payments; the ledger follows Stripe's webhook",
  );
  return { tierName: sub.tier?.name ?? "", resumesAt, keepsAccess };
}

export async function resumeMembership(
  deps: MemberDeps,
  who: Identity,
  subscriptionId: string,
): Promise<{ tierName: string }> {
  const { memberId, sub } = await ownSubscription(deps, who, subscriptionId, "resume");
  if (!sub.pausedSince || sub.status === "canceled") {
    deps.log.info(
      { event: "resume.refused", reason: "not_paused", memberId, subscriptionId },
      "resume refused",
    );
    throw new DomainError("pause_not_paused", { tier: sub.tier?.name ?? "" });
  }
  try {
    await deps.billing.resumeSubscription(sub.id, { [META.pauseAccess]: "resumed" });
  } catch (err) {
    stripeFailure(deps, err, "resume.stripe_refused", { memberId, subscriptionId });
  }
  deps.log.info(
    { event: "member.resume_requested", memberId, subscriptionId },
    "the fan resumed their payments; the ledger follows Stripe's webhook",
  );
  return { tierName: sub.tier?.name ?? "" };
}
