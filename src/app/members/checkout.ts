import { createHash } from "node:crypto";
import type { Platform } from "../../core/access.ts";
import { type OfferKind, type PriceOffer, pickOffer, tierOffers } from "../../core/pricing.ts";
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
import { unlinkedPlatformOpened } from "./linkNudge.ts";
import { stripeRefusalRef } from "./stripeRefusal.ts";
import type { FanIdentity, MemberDeps } from "./types.ts";

export type CheckoutOutcome =
  | {
      kind: "checkout";
      url: string;
      sessionId: string;
      trialDays: number;
      /** The price the page charges. */
      offer: PriceOffer;
      /**
       * The other platform this tier opens, where this account has no sibling linked: a fan who
       * paid there already should /link rather than pay twice. Null when there is none.
       */
      linkHint: Platform | null;
    }
  | {
      kind: "already_member";
      portalUrl: string | null;
      /** The tier the member already has. */
      tierName: string;
      /** They asked for the tier they already have (never sold twice). */
      sameTier: boolean;
      /** What they have is a lifetime purchase. */
      forLife: boolean;
      /** They asked for another tier and pay a subscription: the switch they can make instead. */
      switchTo: { slug: string; name: string; subscriptionId: string } | null;
      /** Their tier also opens chats on this platform, where they have no account linked. */
      linkPlatform: Platform | null;
    };

/** Subscription statuses a tier switch applies to (Stripe moves their item to another price). */
export const SWITCHABLE = ["active", "trialing", "past_due"];

/**
 * Starts Stripe Checkout for a fan and a tier. The fan's platform identity goes into
 * client_reference_id and the metadata of the session and the subscription, and the session is
 * bound to the fan's own Stripe customer, so the payment can only ever be attributed to them.
 */
export async function startCheckout(
  deps: MemberDeps,
  input: {
    who: FanIdentity;
    tier: string;
    /** Monthly, yearly or lifetime; by default monthly (else yearly). */
    offer?: OfferKind;
    /** The same as `offer: "lifetime"`. */
    lifetime?: boolean;
  },
): Promise<CheckoutOutcome> {
  await spendToken(deps, "checkout", input.who);
  const tier = await findTier(deps.db, input.tier);
  if (tier.archivedAt) throw new DomainError("tier_archived", { tier: tier.slug });
  const wanted = input.offer ?? (input.lifetime ? "lifetime" : undefined);
  const lifetime = wanted === "lifetime";
  const offer = pickOffer(tierOffers(tier.prices), wanted);
  const price = offer && tier.prices.find((p) => p.stripePriceId === offer.stripePriceId);
  if (!offer || !price)
    throw new DomainError(lifetime ? "no_lifetime_price" : "no_price", { tier: tier.slug });

  const memberId = await memberForIdentity(deps.db, input.who);
  const member = await deps.db.member.findUniqueOrThrow({
    where: { id: memberId },
    include: {
      identities: { select: { platform: true } },
      subscriptions: { include: { tier: { include: { access: true } }, holds: true } },
    },
  });
  refuseSuspended(deps, member, input.who.platform);
  const settings = await getSettings(deps.db);
  const now = deps.clock.now();
  const entitled = member.subscriptions.filter((s) => isEntitledNow(s, settings.graceDays, now));
  const current = entitled.find((s) => s.tierId === tier.id) ?? entitled[0];
  if (current) {
    // Already a member: never a second subscription. The same tier is theirs already; another
    // tier is a switch of the subscription they pay (prorated by Stripe), not a second one.
    const sameTier = current.tierId === tier.id;
    const forLife = current.kind === "lifetime";
    const switchable =
      !sameTier &&
      !forLife &&
      SWITCHABLE.includes(current.status) &&
      tierOffers(tier.prices).some((o) => o.kind !== "lifetime");
    deps.log.info(
      {
        event: "checkout.refused",
        reason: "already_member",
        memberId,
        tierId: tier.id,
        heldTierId: current.tierId,
        platform: input.who.platform,
      },
      sameTier
        ? "a member asked for the tier they have: no second subscription"
        : switchable
          ? "a member asked for another tier: offered a switch"
          : "a member asked for another tier: no second subscription",
    );
    let portalUrl: string | null = null;
    if (member.stripeCustomerId && !forLife) {
      try {
        portalUrl = await deps.billing.createPortal(
          member.stripeCustomerId,
          portalReturnUrl(deps.publicBaseUrl),
        );
      } catch (err) {
        deps.log.warn({ event: "checkout.portal_failed", memberId, err }, "could not create a portal link");
      }
    }
    return {
      kind: "already_member",
      portalUrl,
      tierName: current.tier?.name ?? "",
      sameTier,
      forLife,
      switchTo: switchable ? { slug: tier.slug, name: tier.name, subscriptionId: current.id } : null,
      linkPlatform: current.tier ? unlinkedPlatformOpened(current.tier.access, member.identities) : null,
    };
  }

  // A trial is for a first membership, not for every return.
  const trialDays = !lifetime && member.subscriptions.length === 0 ? offer.trialDays : 0;
  const mode = lifetime ? "payment" : "subscription";
  const linkHint = unlinkedPlatformOpened(tier.access, member.identities, input.who.platform);
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
    return { kind: "checkout", url: open.url, sessionId: open.id, trialDays, offer, linkHint };
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
    return { kind: "checkout", url: session.url, sessionId: session.id, trialDays, offer, linkHint };
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
