import { createHash } from "node:crypto";
import type { Platform } from "../../core/access.ts";
import { DomainError, NetworkError, PlatformError } from "../../errors.ts";
import type { Logger } from "../../log.ts";
import { META } from "../billing/metadata.ts";
import type { Db } from "../db.ts";
import { isEntitledNow } from "../membership/entitlement.ts";
import { spendToken } from "../rateLimits.ts";
import { getSettings } from "../settings.ts";
import { findTier } from "../tiers.ts";
import { portalReturnUrl } from "../urls.ts";
import { ensureCustomer } from "./customer.ts";
import { memberForIdentity } from "./identity.ts";
import { stripeRefusalRef } from "./stripeRefusal.ts";
import type { FanIdentity, MemberDeps } from "./types.ts";

export type CheckoutOutcome =
  | { kind: "checkout"; url: string; sessionId: string; trialDays: number }
  | { kind: "already_member"; portalUrl: string | null; tierName: string };

/**
 * Starts Stripe Checkout for a fan and a tier. The fan's platform identity goes into
 * client_reference_id and the metadata of the session and the subscription, and the session is
 * bound to the fan's own Stripe customer, so the payment can only ever be attributed to them.
 */
export async function startCheckout(
  deps: MemberDeps,
  input: { who: FanIdentity; tier: string; lifetime?: boolean },
): Promise<CheckoutOutcome> {
  await spendToken(deps, "checkout", input.who);
  const tier = await findTier(deps.db, input.tier);
  if (tier.archivedAt) throw new DomainError("tier_archived", { tier: tier.slug });
  const price = tier.prices.find((p) => p.current && p.kind === (input.lifetime ? "lifetime" : "recurring"));
  if (!price) throw new DomainError(input.lifetime ? "no_lifetime_price" : "no_price", { tier: tier.slug });

  const memberId = await memberForIdentity(deps.db, input.who);
  const member = await deps.db.member.findUniqueOrThrow({
    where: { id: memberId },
    include: { subscriptions: { include: { tier: true, holds: true } } },
  });
  refuseSuspended(deps, member, input.who.platform);
  const settings = await getSettings(deps.db);
  const now = deps.clock.now();
  const current = member.subscriptions.find((s) => isEntitledNow(s, settings.graceDays, now));
  if (current) {
    // Already paying: changing tier or card happens in the portal, not in a second subscription.
    let portalUrl: string | null = null;
    if (member.stripeCustomerId) {
      try {
        portalUrl = await deps.billing.createPortal(
          member.stripeCustomerId,
          portalReturnUrl(deps.publicBaseUrl),
        );
      } catch (err) {
        deps.log.warn({ event: "checkout.portal_failed", memberId, err }, "could not create a portal link");
      }
    }
    return { kind: "already_member", portalUrl, tierName: current.tier?.name ?? "" };
  }

  // A trial is for a first membership, not for every return.
  const trialDays = !input.lifetime && member.subscriptions.length === 0 ? price.trialDays : 0;
  const mode = input.lifetime ? "payment" : "subscription";
  const clientReferenceId = `${input.who.platform}:${input.who.userId}`;
  const locale = input.who.locale ? stripeLocale(input.who.locale) : undefined;
  const terms = JSON.stringify([mode, trialDays, settings.allowPromotionCodes, locale ?? null]);
  const open = await openCheckout(deps.db, member, {
    priceId: price.stripePriceId,
    clientReferenceId,
    terms,
    now,
  });
  if (open) {
    // The fan pressed join again: the page they have is still good, and Stripe is not asked again.
    deps.log.info(
      {
        event: "checkout.reused",
        memberId,
        tierId: tier.id,
        priceId: price.stripePriceId,
        sessionId: open.id,
        platform: input.who.platform,
      },
      `open checkout reused for tier ${tier.slug}`,
    );
    return { kind: "checkout", url: open.url, sessionId: open.id, trialDays };
  }

  try {
    const customerId = await ensureCustomer(deps, memberId, input.who);
    const metadata = {
      [META.memberId]: memberId,
      [META.tierId]: tier.id,
      [META.priceId]: price.stripePriceId,
      [META.platform]: input.who.platform,
      [META.platformUserId]: input.who.userId,
    };
    // Two presses at the same moment both found no open session: the same key makes Stripe answer
    // the second with the first one's session. The key moves on with each session stored.
    const latest = await deps.db.checkoutSession.findFirst({
      where: { memberId },
      orderBy: { createdAt: "desc" },
      select: { id: true },
    });
    const idempotencyKey = `tribegate-checkout-${createHash("sha256")
      .update(
        JSON.stringify([memberId, clientReferenceId, price.stripePriceId, customerId, terms, latest?.id]),
      )
      .digest("hex")
      .slice(0, 40)}`;
    const session = await deps.billing.createCheckout({
      idempotencyKey,
      customerId,
      priceId: price.stripePriceId,
      mode,
      clientReferenceId,
      metadata,
      successUrl: `${deps.publicBaseUrl}/checkout/success?session_id={CHECKOUT_SESSION_ID}`,
      cancelUrl: `${deps.publicBaseUrl}/checkout/cancel`,
      allowPromotionCodes: settings.allowPromotionCodes,
      trialDays,
      ...(locale ? { locale } : {}),
    });
    // Sessions Stripe closed a day ago are of no use any more: the table stays small.
    await deps.db.checkoutSession.deleteMany({
      where: { memberId, expiresAt: { lt: new Date(now.getTime() - 24 * 60 * 60 * 1000) } },
    });
    await deps.db.checkoutSession.createMany({
      data: [
        {
          id: session.id,
          memberId,
          customerId,
          clientReferenceId,
          stripePriceId: price.stripePriceId,
          terms,
          url: session.url,
          expiresAt: session.expiresAt,
        },
      ],
      // The other press of a double press stored the same session already.
      skipDuplicates: true,
    });
    deps.log.info(
      {
        event: "checkout.started",
        memberId,
        tierId: tier.id,
        priceId: price.stripePriceId,
        sessionId: session.id,
        platform: input.who.platform,
      },
      `checkout started for tier ${tier.slug}`,
    );
    return { kind: "checkout", url: session.url, sessionId: session.id, trialDays };
  } catch (err) {
    if (err instanceof NetworkError) {
      deps.log.warn(
        { event: "checkout.stripe_unavailable", memberId, err: err.message },
        "Stripe unavailable during checkout",
      );
      throw new DomainError("stripe_unavailable");
    }
    if (err instanceof PlatformError && err.platform === "stripe") {
      // A tier whose Stripe price was deleted: the creator must set a new price.
      const priceGone = err.status === 404 || (err.code === "resource_missing" && /price/i.test(err.message));
      const ref = stripeRefusalRef(deps.log, err, "checkout.stripe_refused", { memberId, tierId: tier.id });
      if (priceGone) throw new DomainError("price_missing_in_stripe", { tier: tier.slug });
      throw new DomainError("stripe_refused", { ref });
    }
    throw err;
  }
}

/** A session is reused only with this much time left: the fan needs time to fill the page in. */
export const CHECKOUT_REUSE_MARGIN_MS = 10 * 60 * 1000;

/**
 * The open Checkout Session this account already has for this price, made on the same terms and for
 * the member's current customer, with time left; null when a new one is needed. A session is closed
 * for reuse when its completion arrives (the webhook marks it), or near its expiry.
 */
async function openCheckout(
  db: Db,
  member: { id: string; stripeCustomerId: string | null; deletedAt: Date | null },
  want: { priceId: string; clientReferenceId: string; terms: string; now: Date },
): Promise<{ id: string; url: string } | null> {
  if (!member.stripeCustomerId || member.deletedAt) return null;
  return db.checkoutSession.findFirst({
    where: {
      memberId: member.id,
      stripePriceId: want.priceId,
      customerId: member.stripeCustomerId,
      clientReferenceId: want.clientReferenceId,
      terms: want.terms,
      completedAt: null,
      expiresAt: { gt: new Date(want.now.getTime() + CHECKOUT_REUSE_MARGIN_MS) },
    },
    orderBy: { createdAt: "desc" },
    select: { id: true, url: true },
  });
}

/**
 * A member the creator suspended (/tribe member revoke) may not buy their way back in: the answer
 * is that they are suspended, not a payment page.
 */
export function refuseSuspended(
  deps: { log: Logger },
  member: { id: string; suspendedAt: Date | null },
  platform: Platform,
): void {
  if (!member.suspendedAt) return;
  deps.log.info(
    { event: "checkout.refused", reason: "suspended", memberId: member.id, platform },
    "a suspended member tried to pay: no checkout opened",
  );
  throw new DomainError("member_suspended");
}

function stripeLocale(locale: string): string {
  const l = locale.toLowerCase().split(/[-_]/)[0] ?? "auto";
  return ["fr", "en", "de", "es", "it", "nl", "pt", "ja"].includes(l) ? l : "auto";
}
