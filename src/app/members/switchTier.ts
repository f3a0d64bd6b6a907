import type { Identity } from "../../core/access.ts";
import { DomainError, NetworkError, PlatformError } from "../../errors.ts";
import { applyCustomerStates } from "../billing/subscriptions.ts";
import type { Tx } from "../db.ts";
import { findTier } from "../tiers.ts";
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
): Promise<{ tierName: string }> {
  const tier = await findTier(deps.db, tierSlug);
  if (tier.archivedAt) throw new DomainError("tier_archived", { tier: tier.slug });
  const price = tier.prices.find((p) => p.current && p.kind === "recurring");
  if (!price) throw new DomainError("no_price", { tier: tier.slug });
  const identity = await deps.db.identity.findUnique({
    where: { platform_platformUserId: { platform: who.platform, platformUserId: who.userId } },
    include: { member: { include: { subscriptions: true } } },
  });
  const member = identity?.member;
  const current = member?.subscriptions.find(
    (s) => s.kind === "recurring" && ["active", "trialing", "past_due"].includes(s.status),
  );
  if (!member?.stripeCustomerId || !current) throw new DomainError("not_a_member");
  if (current.tierId === tier.id) throw new DomainError("already_on_tier", { tier: tier.name });
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
