import type Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCheckout } from "../../../src/app/members/checkout.ts";
import { createLinkCode, redeemLinkCode } from "../../../src/app/members/linking.ts";
import { switchTier } from "../../../src/app/members/switchTier.ts";
import { setSetting } from "../../../src/app/settings.ts";
import { getCreatorStats } from "../../../src/app/stats.ts";
import { archiveTier, changeTierPrice, createTier } from "../../../src/app/tiers.ts";
import { DAY_MS } from "../../../src/core/membership.ts";
import { DomainError } from "../../../src/errors.ts";
import { settle } from "../../support/helpers.ts";
import { BACKENDS, type Harness, startHarness } from "../harness.ts";
import {
  fanPays,
  goldChatKey,
  goldRoleKey,
  moveToPrice,
  newUserId,
  setupTiers,
  silverRoleKey,
  type Tiers,
  wishesOf,
} from "./fixtures.ts";

async function domainCode(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DomainError);
  return (err as DomainError).code;
}

describe.each(BACKENDS)("memberships from Stripe payments to access, on %s", (backend) => {
  let h: Harness;
  let tiers: Tiers;

  beforeAll(async () => {
    h = await startHarness({ backend });
    tiers = await setupTiers(h);
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("creates tiers as Stripe products and prices", async () => {
    const product = h.stripe.calls.find((c) => c.path === "/v1/products" && c.method === "POST");
    expect(product?.body).toMatchObject({ name: "Gold" });
    const prices = h.stripe.calls
      .filter((c) => c.path === "/v1/prices" && c.method === "POST")
      .map((c) => c.body);
    expect(prices).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ unit_amount: "1000", currency: "eur", recurring: { interval: "month" } }),
        expect.objectContaining({ unit_amount: "20000", currency: "eur" }),
      ]),
    );
  });

  it("starts Checkout bound to the fan: identity in client_reference_id and metadata, return URLs, trial, promotion codes", async () => {
    await setSetting(h.deps.db, "allowPromotionCodes", true);
    const trialTier = await createTier(h.deps, { name: "Trial", amount: 300, currency: "eur", trialDays: 7 });
    const userId = newUserId();
    const outcome = await startCheckout(h.deps, {
      who: { platform: "discord", userId, locale: "fr-FR" },
      tier: trialTier.slug,
    });
    await setSetting(h.deps.db, "allowPromotionCodes", false);
    expect(outcome).toMatchObject({ kind: "checkout", trialDays: 7 });
    const call = h.stripe.calls.findLast((c) => c.path === "/v1/checkout/sessions" && c.method === "POST")!;
    const member = await h.deps.db.member.findFirstOrThrow({
      where: { identities: { some: { platformUserId: userId } } },
    });
    expect(call.body).toMatchObject({
      mode: "subscription",
      customer: member.stripeCustomerId,
      client_reference_id: `discord:${userId}`,
      success_url: "https://tribe.example.test/checkout/success?session_id={CHECKOUT_SESSION_ID}",
      cancel_url: "https://tribe.example.test/checkout/cancel",
      allow_promotion_codes: "true",
      locale: "fr",
      line_items: [{ price: trialTier.prices[0]!.stripePriceId, quantity: "1" }],
      metadata: {
        tribegate_member_id: member.id,
        tribegate_platform: "discord",
        tribegate_platform_user_id: userId,
      },
      subscription_data: { trial_period_days: "7", metadata: { tribegate_member_id: member.id } },
    });
  });

  it("checkout completed → the ledger owes the tier's targets on the fan's platform", async () => {
    const paid = await fanPays(h, tiers.gold.slug);
    // Linked on Discord only: the Telegram chat waits until they link Telegram.
    expect(await wishesOf(h, paid.userId)).toEqual({ [goldRoleKey]: "grant" });
    const jobs = await h.deps.db.accessJob.findMany({ where: { platformUserId: paid.userId } });
    expect(jobs[0]).toMatchObject({ state: "pending", memberId: paid.memberId });
    expect(jobs[0]!.reason).toMatch(/subscription sub_\w+ \(active\) of tier/);
    const sub = await h.deps.db.subscription.findUniqueOrThrow({ where: { id: paid.subscriptionId } });
    expect(sub).toMatchObject({
      status: "active",
      tierId: tiers.gold.id,
      memberId: paid.memberId,
      amount: 1000,
      currency: "eur",
    });
    const history = await h.deps.db.memberHistory.findMany({
      where: { memberId: paid.memberId },
      orderBy: { id: "asc" },
    });
    expect(history.map((r) => r.action)).toEqual(["subscription.status", "access.grant.requested"]);
    expect(history[0]).toMatchObject({
      actor: "stripe",
      fromState: null,
      toState: `active (${tiers.gold.id})`,
    });
    expect(history[0]!.stripeEventId).toMatch(/^evt_/);
    expect(h.logs.events("stripe.event.applied").length).toBeGreaterThan(0);
  });

  it("a fan already paying is offered the billing portal instead of a second subscription", async () => {
    const paid = await fanPays(h, tiers.silver.slug);
    const again = await startCheckout(h.deps, {
      who: { platform: "discord", userId: paid.userId },
      tier: tiers.gold.slug,
    });
    expect(again).toMatchObject({ kind: "already_member", tierName: "Silver" });
    expect((again as { portalUrl: string }).portalUrl).toMatch(/^http/);
  });

  it("renewal fails → access kept during the grace period with a reminder → revoked when it ends", async () => {
    const paid = await fanPays(h, tiers.silver.slug);
    h.stripe.updateSubscription(paid.subscriptionId, { status: "past_due" });
    await h.deliverAll();
    expect(await wishesOf(h, paid.userId)).toEqual({ [silverRoleKey]: "grant" });
    const sub = await h.deps.db.subscription.findUniqueOrThrow({ where: { id: paid.subscriptionId } });
    expect(sub.pastDueSince).not.toBeNull();
    const reminder = await h.deps.db.task.findFirst({
      where: { kind: "member.notify", key: { startsWith: `notify:payment_failed:${paid.subscriptionId}:` } },
    });
    expect(reminder?.payload).toMatchObject({ template: "payment_failed", memberId: paid.memberId });
    // And the last day of the 3-day grace has its own reminder, two days after the failure.
    const lastDay = await h.deps.db.task.findUniqueOrThrow({
      where: { key: `notify:payment_last_day:${paid.subscriptionId}:${sub.pastDueSince!.toISOString()}` },
    });
    expect(lastDay.runAfter.getTime()).toBe(sub.pastDueSince!.getTime() + 2 * DAY_MS);
    const review = await h.deps.db.task.findUniqueOrThrow({ where: { key: `review:${paid.memberId}` } });
    expect(review.runAfter.getTime()).toBe(sub.pastDueSince!.getTime() + 3 * DAY_MS);

    h.clock.advance(3 * DAY_MS + 60_000);
    await settle(h, () => wishesOf(h, paid.userId), { [silverRoleKey]: "revoke" });
    const revoke = await h.deps.db.memberHistory.findFirst({
      where: { memberId: paid.memberId, action: "access.revoke.requested" },
    });
    expect(revoke).toMatchObject({ actor: "system" });
    expect(revoke!.reason).toMatch(/scheduled review/);
  });

  it("payment recovers inside the grace period → access simply continues", async () => {
    const paid = await fanPays(h, tiers.silver.slug);
    h.stripe.updateSubscription(paid.subscriptionId, { status: "past_due" });
    await h.deliverAll();
    h.stripe.updateSubscription(paid.subscriptionId, { status: "active" });
    await h.deliverAll();
    const sub = await h.deps.db.subscription.findUniqueOrThrow({ where: { id: paid.subscriptionId } });
    expect(sub).toMatchObject({ status: "active", pastDueSince: null });
    expect(await h.deps.db.task.findUnique({ where: { key: `review:${paid.memberId}` } })).toBeNull();
    expect(await wishesOf(h, paid.userId)).toEqual({ [silverRoleKey]: "grant" });
  });

  it("cancel at period end keeps access until the period ends, then the cancellation revokes it", async () => {
    const paid = await fanPays(h, tiers.silver.slug);
    h.stripe.updateSubscription(paid.subscriptionId, { cancel_at_period_end: true });
    await h.deliverAll();
    expect(await wishesOf(h, paid.userId)).toEqual({ [silverRoleKey]: "grant" });
    const review = await h.deps.db.task.findUniqueOrThrow({ where: { key: `review:${paid.memberId}` } });
    const sub = await h.deps.db.subscription.findUniqueOrThrow({ where: { id: paid.subscriptionId } });
    expect(review.runAfter).toEqual(sub.currentPeriodEnd);
    h.stripe.updateSubscription(paid.subscriptionId, {
      status: "canceled",
      ended_at: Math.floor(Date.now() / 1000),
    });
    const deliveries = await h.deliverAll();
    expect(deliveries.map((d) => d.event.type)).toEqual(["customer.subscription.deleted"]);
    expect(await wishesOf(h, paid.userId)).toEqual({ [silverRoleKey]: "revoke" });
  });

  it("cancel at period end, the canceled event never arrives → the period end still revokes", async () => {
    const paid = await fanPays(h, tiers.silver.slug);
    h.stripe.updateSubscription(paid.subscriptionId, { cancel_at_period_end: true });
    await h.deliverAll();
    h.clock.advance(40 * DAY_MS);
    await settle(h, () => wishesOf(h, paid.userId), { [silverRoleKey]: "revoke" });
    h.clock.advance(-40 * DAY_MS);
  });

  it("an upgrade swaps access: the new tier is granted before the old one is revoked", async () => {
    const paid = await fanPays(h, tiers.silver.slug);
    moveToPrice(h, paid.subscriptionId, tiers.gold.priceId);
    await h.deliverAll();
    expect(await wishesOf(h, paid.userId)).toEqual({ [goldRoleKey]: "grant", [silverRoleKey]: "revoke" });
    const history = await h.deps.db.memberHistory.findMany({
      where: { memberId: paid.memberId },
      orderBy: { id: "asc" },
    });
    const tail = history.slice(-3).map((r) => r.action);
    expect(tail).toEqual(["subscription.tier", "access.grant.requested", "access.revoke.requested"]);
  });

  it("switching tier by command: Stripe prorates, the new tier is granted before the old one is revoked", async () => {
    const paid = await fanPays(h, tiers.silver.slug);
    expect(await switchTier(h.deps, { platform: "discord", userId: paid.userId }, tiers.gold.slug)).toEqual({
      tierName: "Gold",
    });
    const update = h.stripe.calls.findLast(
      (c) => c.method === "POST" && c.path === `/v1/subscriptions/${paid.subscriptionId}`,
    )!;
    expect(update.body).toMatchObject({
      items: [{ price: tiers.gold.priceId }],
      proration_behavior: "create_prorations",
    });
    expect(await wishesOf(h, paid.userId)).toEqual({ [goldRoleKey]: "grant", [silverRoleKey]: "revoke" });
    // Stripe's webhook for the same change arrives afterwards: nothing left to do.
    const [delivery] = await h.deliverAll();
    expect(delivery?.status).toBe(200);
    expect(await wishesOf(h, paid.userId)).toEqual({ [goldRoleKey]: "grant", [silverRoleKey]: "revoke" });
    expect(
      await domainCode(switchTier(h.deps, { platform: "discord", userId: paid.userId }, tiers.gold.slug)),
    ).toBe("already_on_tier");
    expect(
      await domainCode(switchTier(h.deps, { platform: "discord", userId: newUserId() }, tiers.gold.slug)),
    ).toBe("not_a_member");
  });

  it("a full refund revokes at once", async () => {
    const paid = await fanPays(h, tiers.silver.slug);
    const charge = h.stripe.chargeInvoice(paid.invoiceId!);
    await h.stripeClient.refunds.create({ charge: charge.id });
    const deliveries = await h.deliverAll();
    expect(deliveries.map((d) => [d.event.type, d.status])).toEqual([
      ["refund.created", 200],
      ["charge.refunded", 200],
    ]);
    expect(await wishesOf(h, paid.userId)).toEqual({ [silverRoleKey]: "revoke" });
    const hold = await h.deps.db.paymentHold.findFirstOrThrow({
      where: { subscriptionId: paid.subscriptionId },
    });
    expect(hold).toMatchObject({ reason: "refunded", chargeId: charge.id, liftedAt: null });
  });

  it("a partial refund keeps access", async () => {
    const paid = await fanPays(h, tiers.silver.slug);
    const charge = h.stripe.chargeInvoice(paid.invoiceId!);
    await h.stripeClient.refunds.create({ charge: charge.id, amount: 100 });
    await h.deliverAll();
    expect(await wishesOf(h, paid.userId)).toEqual({ [silverRoleKey]: "grant" });
  });

  it("a dispute revokes at once; a dispute won restores access", async () => {
    const paid = await fanPays(h, tiers.silver.slug);
    const charge = h.stripe.chargeInvoice(paid.invoiceId!);
    const { dispute } = h.stripe.openDispute(charge.id);
    await h.deliverAll();
    expect(await wishesOf(h, paid.userId)).toEqual({ [silverRoleKey]: "revoke" });
    h.stripe.closeDispute(dispute.id, "won");
    await h.deliverAll();
    expect(await wishesOf(h, paid.userId)).toEqual({ [silverRoleKey]: "grant" });
    const actions = (
      await h.deps.db.memberHistory.findMany({ where: { memberId: paid.memberId }, orderBy: { id: "asc" } })
    ).map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(["hold.placed", "hold.lifted"]));
  });

  it("a dispute lost keeps access revoked", async () => {
    const paid = await fanPays(h, tiers.silver.slug);
    const charge = h.stripe.chargeInvoice(paid.invoiceId!);
    const { dispute } = h.stripe.openDispute(charge.id);
    h.stripe.closeDispute(dispute.id, "lost");
    await h.deliverAll();
    expect(await wishesOf(h, paid.userId)).toEqual({ [silverRoleKey]: "revoke" });
  });

  it("a lifetime purchase gives access for good", async () => {
    const paid = await fanPays(h, tiers.gold.slug, { lifetime: true });
    expect(await wishesOf(h, paid.userId)).toEqual({ [goldRoleKey]: "grant" });
    const sub = await h.deps.db.subscription.findUniqueOrThrow({ where: { id: paid.sessionId } });
    expect(sub).toMatchObject({
      kind: "lifetime",
      status: "lifetime",
      tierId: tiers.gold.id,
      currentPeriodEnd: null,
    });
    const call = h.stripe.calls.findLast((c) => c.path === "/v1/checkout/sessions" && c.method === "POST")!;
    expect(call.body).toMatchObject({ mode: "payment", line_items: [{ price: tiers.gold.lifetimePriceId }] });
  });

  it("linking Telegram with a single-use code unlocks the same membership there", async () => {
    const paid = await fanPays(h, tiers.gold.slug);
    const { code, expiresAt } = await createLinkCode(h.deps, { platform: "discord", userId: paid.userId });
    expect(code).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    expect(expiresAt.getTime() - h.clock.now().getTime()).toBeLessThanOrEqual(15 * 60_000);
    const tgUser = `9${paid.userId.slice(1)}`;
    const linked = await redeemLinkCode(h.deps, { platform: "telegram", userId: tgUser }, code.toLowerCase());
    expect(linked).toEqual({ memberId: paid.memberId, grants: 1 });
    expect(await wishesOf(h, tgUser)).toEqual({ [goldChatKey]: "grant" });
    // Single use.
    expect(await domainCode(redeemLinkCode(h.deps, { platform: "telegram", userId: "777" }, code))).toBe(
      "link_code_used",
    );
  });

  it("refuses wrong, expired, same-platform and already-taken link codes, changing nothing", async () => {
    const a = await fanPays(h, tiers.silver.slug);
    const b = await fanPays(h, tiers.silver.slug);
    expect(await domainCode(redeemLinkCode(h.deps, { platform: "telegram", userId: "1" }, "NOPE-NOPE"))).toBe(
      "link_code_invalid",
    );
    expect(await domainCode(redeemLinkCode(h.deps, { platform: "telegram", userId: "1" }, "!!"))).toBe(
      "link_code_invalid",
    );
    const { code } = await createLinkCode(h.deps, { platform: "discord", userId: a.userId });
    expect(await domainCode(redeemLinkCode(h.deps, { platform: "discord", userId: b.userId }, code))).toBe(
      "link_code_same_platform",
    );
    // b's Telegram account already belongs to b's paying membership: a's code cannot take it.
    const tgOfB = `8${b.userId.slice(1)}`;
    const bCode = await createLinkCode(h.deps, { platform: "discord", userId: b.userId });
    await redeemLinkCode(h.deps, { platform: "telegram", userId: tgOfB }, bCode.code);
    expect(await domainCode(redeemLinkCode(h.deps, { platform: "telegram", userId: tgOfB }, code))).toBe(
      "identity_taken",
    );
    h.clock.advance(16 * 60_000);
    expect(await domainCode(redeemLinkCode(h.deps, { platform: "telegram", userId: "55555" }, code))).toBe(
      "link_code_expired",
    );
    h.clock.advance(-16 * 60_000);
    expect(await h.deps.db.identity.count({ where: { memberId: a.memberId } })).toBe(1);
  });

  it("a member's subscription to a price no tier sells is recorded, not dropped", async () => {
    const paid = await fanPays(h, tiers.silver.slug);
    const stray = h.stripe.put({
      ...(h.stripe.get<Stripe.Price>(tiers.silver.priceId) as Stripe.Price),
      id: "price_TGstray000001",
    });
    const { subscription } = h.stripe.createSubscription({ customer: paid.customerId, price: stray });
    const [delivery] = await h.deliverAll();
    expect(delivery?.status).toBe(200);
    const sub = await h.deps.db.subscription.findUniqueOrThrow({
      where: { id: subscription.id },
      include: { member: true },
    });
    expect(sub).toMatchObject({ tierId: null, status: "active", stripePriceId: stray.id });
    expect(sub.memberId).toBe(paid.memberId);
    expect(h.logs.events("stripe.unknown_price").some((l) => l.priceId === stray.id)).toBe(true);
    // The creator links that price to a tier: the subscription finds its tier.
    await createTier(h.deps, { name: "Legacy", existingPriceId: stray.id });
    const after = await h.deps.db.subscription.findUniqueOrThrow({ where: { id: subscription.id } });
    expect(after.tierId).not.toBeNull();
  });

  it("refuses bad tier input with the reason, changing nothing", async () => {
    expect(await domainCode(createTier(h.deps, { name: "Bad", amount: 500, currency: "xyz" }))).toBe(
      "stripe_rejected",
    );
    expect(await domainCode(createTier(h.deps, { name: "Bad", amount: 500, currency: "euro" }))).toBe(
      "currency_invalid",
    );
    expect(await domainCode(createTier(h.deps, { name: "Bad", amount: -5, currency: "eur" }))).toBe(
      "price_amount_invalid",
    );
    expect(await domainCode(createTier(h.deps, { name: "Gold", amount: 500, currency: "eur" }))).toBe(
      "tier_exists",
    );
    expect(await domainCode(createTier(h.deps, { name: "X", existingPriceId: "price_nope" }))).toBe(
      "price_not_found",
    );
    expect(await h.deps.db.tier.count({ where: { name: "Bad" } })).toBe(0);
    expect(
      await domainCode(
        startCheckout(h.deps, { who: { platform: "discord", userId: "42" }, tier: "platinum" }),
      ),
    ).toBe("unknown_tier");
  });

  it("a new price is for new members; existing members keep theirs and their access", async () => {
    const tier = await createTier(h.deps, { name: "Bronze", amount: 200, currency: "eur" });
    const before = await fanPays(h, tier.slug);
    const newPrice = await changeTierPrice(h.deps, tier.slug, { amount: 300 });
    const after = await fanPays(h, tier.slug);
    const [s1, s2] = await Promise.all([
      h.deps.db.subscription.findUniqueOrThrow({ where: { id: before.subscriptionId } }),
      h.deps.db.subscription.findUniqueOrThrow({ where: { id: after.subscriptionId } }),
    ]);
    expect(s1).toMatchObject({ amount: 200, tierId: tier.id });
    expect(s2).toMatchObject({ amount: 300, tierId: tier.id, stripePriceId: newPrice });
  });

  it("an archived tier is no longer sold; its members keep their access", async () => {
    const tier = await createTier(h.deps, { name: "Retro", amount: 200, currency: "eur" });
    await h.deps.db.tierAccess.create({
      data: {
        id: `ta-${tier.id}`,
        tierId: tier.id,
        platform: "discord",
        targetKey: "discord:1:2",
        guildId: "1",
        roleId: "2",
      },
    });
    const member = await fanPays(h, tier.slug);
    await archiveTier(h.deps, tier.slug);
    expect(
      await domainCode(
        startCheckout(h.deps, { who: { platform: "discord", userId: newUserId() }, tier: tier.slug }),
      ),
    ).toBe("tier_archived");
    expect(await wishesOf(h, member.userId)).toEqual({ "discord:1:2": "grant" });
  });

  it("Stripe failing during checkout gives the fan a clear retry message", async () => {
    h.stripe.failNext({ method: "POST", path: "/v1/checkout/sessions" }, { kind: "status", status: 500 }, 3);
    expect(
      await domainCode(
        startCheckout(h.deps, { who: { platform: "discord", userId: newUserId() }, tier: tiers.silver.slug }),
      ),
    ).toBe("stripe_unavailable");
    h.stripe.clearFaults();
  });

  it("a tier pointing at a price deleted in Stripe refuses checkout with a reason for the creator", async () => {
    const tier = await createTier(h.deps, { name: "Ghost", amount: 200, currency: "eur" });
    await h.deps.db.tierPrice.updateMany({ where: { tierId: tier.id }, data: { current: false } });
    await h.deps.db.tierPrice.create({
      data: {
        stripePriceId: "price_TGdeleted0001",
        tierId: tier.id,
        kind: "recurring",
        amount: 200,
        currency: "eur",
        interval: "month",
      },
    });
    expect(
      await domainCode(
        startCheckout(h.deps, { who: { platform: "discord", userId: newUserId() }, tier: tier.slug }),
      ),
    ).toBe("price_missing_in_stripe");
  });

  it("stats count members per tier, trials, past due, MRR and the true-fans goal", async () => {
    await setSetting(h.deps.db, "trueFansGoal", 10);
    const stats = await getCreatorStats(h.deps.db, h.clock.now());
    expect(stats.goal).toBe(10);
    expect(stats.activeMembers).toBeGreaterThan(3);
    expect(stats.goalProgress).toBeCloseTo(stats.activeMembers / 10);
    expect(stats.perTier.find((t) => t.tierId === tiers.gold.id)?.members).toBeGreaterThan(0);
    expect(stats.mrr.eur).toBeGreaterThan(0);
    expect(stats.tierNames[tiers.gold.id]).toBe("Gold");
  });
});
