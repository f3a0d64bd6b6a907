import type { Identity } from "../../core/access.ts";
import { pickOffer, tierOffers } from "../../core/pricing.ts";
import { DomainError, NetworkError, PlatformError } from "../../errors.ts";
import { applyCustomerStates } from "../billing/subscriptions.ts";
import type { Db, Tx } from "../db.ts";
import { findTier, listTiersForSale } from "../tiers.ts";
import { SWITCHABLE } from "./checkout.ts";
import { stripeRefusalRef } from "./stripeRefusal.ts";
import type { MemberDeps } from "./types.ts";

/**
 * A fan moves their subscription to another tier from the chat (the billing portal does the same):
 * Stripe prorates, and the ledger applies Stripe's answer at once, granting the new tier's access
 * before revoking the old one. The webhook that follows finds nothing left to change.
 */
export async function switchTier(
  deps: MemberDeps,
  who: Identity,
  tierSlug: string,
  /**
   * The subscription a button was made for. A button's data comes back from the client and can be
   * forged: the subscription must be the clicker's own, or nothing changes.
   */
  opts: { subscriptionId?: string } = {},
): Promise<{ tierName: string }> {
  const tier = await findTier(deps.db, tierSlug);
  if (tier.archivedAt) throw new DomainError("tier_archived", { tier: tier.slug });
  const identity = await deps.db.identity.findUnique({
    where: { platform_platformUserId: { platform: who.platform, platformUserId: who.userId } },
    include: { member: { include: { subscriptions: { include: { tier: true } } } } },
  });
  const member = identity?.member;
  const subs = member?.subscriptions ?? [];
  if (opts.subscriptionId !== undefined && !subs.some((s) => s.id === opts.subscriptionId)) {
    deps.log.warn(
      {
        event: "tier_switch.refused",
        reason: "not_yours",
        platform: who.platform,
        userId: who.userId,
        subscriptionId: opts.subscriptionId,
      },
      "a tier switch named a subscription that is not the clicker's: nothing changed",
    );
    throw new DomainError("switch_not_yours");
  }
  const candidates = subs.filter((s) => opts.subscriptionId === undefined || s.id === opts.subscriptionId);
  const current = candidates.find((s) => s.kind === "recurring" && SWITCHABLE.includes(s.status));
  if (!member || !current) {
    const lifetime = candidates.find((s) => s.kind === "lifetime" && s.status === "lifetime");
    if (lifetime) throw new DomainError("switch_lifetime", { tier: lifetime.tier?.name ?? "" });
    throw new DomainError(member ? "switch_no_subscription" : "not_a_member");
  }
  if (!member.stripeCustomerId) throw new DomainError("switch_no_subscription");
  if (current.tierId === tier.id) throw new DomainError("already_on_tier", { tier: tier.name });
  // The same rhythm as today's subscription (a yearly member switches to the yearly price), else the
  // tier's default recurring price.
  const offers = tierOffers(tier.prices).filter((o) => o.kind !== "lifetime");
  const price = offers.find((o) => o.kind === current.interval) ?? pickOffer(offers);
  if (!price) throw new DomainError("no_price", { tier: tier.slug });
  const fetchedAt = deps.clock.now();
  let state: Awaited<ReturnType<MemberDeps["billing"]["changeSubscriptionPrice"]>>;
  try {
    state = await deps.billing.changeSubscriptionPrice(current.id, price.stripePriceId);
  } catch (err) {
    if (err instanceof NetworkError) throw new DomainError("stripe_unavailable");
    if (err instanceof PlatformError && err.platform === "stripe") {
      const ref = stripeRefusalRef(deps.log, err, "tier_switch.stripe_refused", {
        memberId: member.id,
        tierId: tier.id,
      });
      throw new DomainError("stripe_refused", { ref });
    }
    throw err;
  }
  const customerId = member.stripeCustomerId;
  await deps.db.$transaction((tx: Tx) =>
    applyCustomerStates(
      tx,
      { customerId, metadata: {}, states: [state], paymentIntentId: null },
      fetchedAt,
      {
        actor: `${who.platform}:${who.userId}`,
        reason: `switched to tier ${tier.slug}`,
        stripeEventId: null,
        now: fetchedAt,
      },
      deps.log,
    ),
  );
  deps.log.info(
    { event: "member.tier_switched", memberId: member.id, subscriptionId: current.id, tierId: tier.id },
    `switched to ${tier.slug}`,
  );
  deps.onWork?.();
  return { tierName: tier.name };
}

/**
 * The tier switches a fan can make from the chat: for each subscription they pay (active, trialing
 * or past due), the other tiers on sale with a recurring price. Lifetime purchases switch nothing.
 */
export async function switchChoices(
  db: Db,
  who: Identity,
): Promise<{ subscriptionId: string; tierName: string; to: { slug: string; name: string }[] }[]> {
  const identity = await db.identity.findUnique({
    where: { platform_platformUserId: { platform: who.platform, platformUserId: who.userId } },
    include: {
      member: {
        include: {
          subscriptions: {
            where: { kind: "recurring", status: { in: SWITCHABLE } },
            include: { tier: true },
          },
        },
      },
    },
  });
  const subs = identity?.member.stripeCustomerId ? identity.member.subscriptions : [];
  if (subs.length === 0) return [];
  const forSale = (await listTiersForSale(db)).filter((t) =>
    tierOffers(t.prices).some((o) => o.kind !== "lifetime"),
  );
  return subs
    .filter((s) => s.tier)
    .map((s) => ({
      subscriptionId: s.id,
      tierName: s.tier?.name ?? "",
      to: forSale.filter((t) => t.id !== s.tierId).map((t) => ({ slug: t.slug, name: t.name })),
    }))
    .filter((c) => c.to.length > 0);
}
