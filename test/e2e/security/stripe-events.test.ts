import type Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { META } from "../../../src/app/billing/metadata.ts";
import { memberForIdentity } from "../../../src/app/members/identity.ts";
import { makeEvent } from "../../standins/stripe.ts";
import { checkoutSession } from "../../standins/stripe-objects.ts";
import type { Harness } from "../harness.ts";
import {
  deliverSigned,
  fanPays,
  goldRoleKey,
  newUserId,
  silverRoleKey,
  startLedger,
  type Tiers,
  wishesOf,
} from "../memberships/fixtures.ts";

/**
 * ATTACK / FAULT: Stripe events that are not about this shop. The webhook secret proves an event
 * comes from Stripe, not that it is about the creator's account in the key's mode: an event of the
 * other mode or of a connected account (Connect) is recorded as ignored and never applied; an event
 * about a customer the ledger does not know creates no member (only the bot's own checkout attaches
 * a customer); a re-read Stripe refuses for good is recorded as failed, while a passing failure
 * keeps the acknowledged event queued until the worker's retry applies it. In every case the paying fans keep what they
 * paid for.
 */

describe("ATTACK: Stripe events that do not belong to this account", () => {
  let h: Harness;
  let tiers: Tiers;

  beforeAll(async () => {
    ({ h, tiers } = await startLedger());
  });
  afterAll(async () => {
    await h?.stop();
  });

  const deliver = (event: Stripe.Event) => deliverSigned(h, event);

  async function recorded(id: string) {
    return h.deps.db.stripeEvent.findUnique({ where: { id } });
  }

  it("a signed event of the other mode or of a connected account is recorded as ignored, never applied, and so is its replay", async () => {
    const fan = await fanPays(h, tiers.gold.slug);
    const owed = { [goldRoleKey]: "grant" };
    expect(await wishesOf(h, fan.userId)).toEqual(owed);
    const customer = h.stripe.get<Stripe.Customer>(fan.customerId)!;
    // customer.deleted is applied from the event's own copy: applied, it would cancel the fan.
    const liveDelete = { ...makeEvent("customer.deleted", customer), livemode: true } as Stripe.Event;
    const connectDelete = {
      ...makeEvent("customer.deleted", customer),
      account: "acct_1TGsomeoneelse",
    } as Stripe.Event;
    // A paid lifetime session is applied from the event too: applied, it would sell a lifetime.
    const liveLifetime = {
      ...makeEvent(
        "checkout.session.completed",
        checkoutSession({
          mode: "payment",
          status: "complete",
          payment_status: "paid",
          customer: fan.customerId,
          amount_total: 20000,
          currency: "eur",
          metadata: { [META.memberId]: fan.memberId, [META.priceId]: tiers.gold.lifetimePriceId },
        }),
      ),
      livemode: true,
    } as Stripe.Event;
    // Even a type the bot does not act on is recorded when it comes from elsewhere.
    const connectOther = {
      ...makeEvent("customer.updated", customer),
      account: "acct_1TGsomeoneelse",
    } as Stripe.Event;

    for (const [event, why] of [
      [liveDelete, /live-mode event, but the API key is a test-mode key/],
      [connectDelete, /connected account acct_1TGsomeoneelse/],
      [liveLifetime, /live-mode event/],
      [connectOther, /connected account/],
    ] as const) {
      const first = await deliver(event);
      expect([first.http, first.body.status], event.type).toEqual([200, "ignored"]);
      expect(await recorded(event.id)).toMatchObject({
        status: "ignored",
        outcome: expect.stringMatching(why),
      });
      // Stripe (or someone replaying the signed body) sends it again: answered from the record.
      const again = await deliver(event);
      expect([again.http, again.body.status]).toEqual([200, "duplicate"]);
    }
    expect(h.logs.events("stripe.event.foreign")).toHaveLength(4);
    expect(h.logs.events("stripe.event.foreign")[0]).toMatchObject({ livemode: true, level: "warn" });

    // Nothing the fan paid for was lost, nothing was added.
    const member = await h.deps.db.member.findUniqueOrThrow({
      where: { id: fan.memberId },
      include: { subscriptions: true },
    });
    expect(member.deletedAt).toBeNull();
    expect(member.subscriptions.map((s) => [s.id, s.status])).toEqual([[fan.subscriptionId, "active"]]);
    expect(await wishesOf(h, fan.userId)).toEqual(owed);
  });

  it("an event about a customer the ledger does not know creates no member", async () => {
    const members = await h.deps.db.member.count();
    // A subscription made in the Dashboard (or by another app on the account) for a stranger.
    const { subscription } = h.stripe.createSubscription({
      price: h.stripe.get<Stripe.Price>(tiers.gold.priceId)!,
    });
    h.stripe.updateSubscription(subscription.id, { status: "past_due" });
    const deliveries = await h.deliverAll();
    expect(deliveries.map((d) => d.status)).toEqual(deliveries.map(() => 200));
    for (const d of deliveries) {
      expect(await recorded(d.event.id)).toMatchObject({
        status: "ignored",
        outcome: expect.stringContaining(`customer ${subscription.customer as string} unknown to the ledger`),
      });
    }
    expect(await h.deps.db.member.count()).toBe(members);
    expect(await h.deps.db.subscription.findUnique({ where: { id: subscription.id } })).toBeNull();
    expect(h.logs.events("stripe.unknown_customer").some((l) => l.customerId === subscription.customer)).toBe(
      true,
    );
  });

  it("a checkout naming a member who already has a customer does not take that member over", async () => {
    const victim = await fanPays(h, tiers.silver.slug);
    const members = await h.deps.db.member.count();
    // Someone with access to the account makes a session for their own customer, naming the victim.
    const other = await h.stripeClient.customers.create({ name: "not the fan" });
    const session = await h.stripeClient.checkout.sessions.create({
      mode: "subscription",
      customer: other.id,
      line_items: [{ price: tiers.gold.priceId, quantity: 1 }],
      success_url: "https://tribe.example.test/checkout/success",
      client_reference_id: `discord:${victim.userId}`,
      metadata: { [META.memberId]: victim.memberId, [META.tierId]: tiers.gold.id },
    });
    h.stripe.completeCheckout(session.id);
    const deliveries = await h.deliverAll();
    expect(deliveries.map((d) => d.status)).toEqual(deliveries.map(() => 200));
    const after = await h.deps.db.member.findUniqueOrThrow({ where: { id: victim.memberId } });
    expect(after.stripeCustomerId).toBe(victim.customerId);
    expect(await h.deps.db.member.count()).toBe(members);
    expect(await h.deps.db.member.findUnique({ where: { stripeCustomerId: other.id } })).toBeNull();
    expect(await wishesOf(h, victim.userId)).toEqual({ [silverRoleKey]: "grant" });
  });

  it("the bot's own checkout still attaches the fan's customer, even when its subscription events come first", async () => {
    const userId = newUserId();
    // A fan known to the ledger without a customer yet (as after /start): the session names them.
    const memberId = await memberForIdentity(h.deps.db, { platform: "discord", userId });
    const customer = await h.stripeClient.customers.create({ metadata: { [META.memberId]: memberId } });
    const metadata = { [META.memberId]: memberId, [META.tierId]: tiers.silver.id };
    const session = await h.stripeClient.checkout.sessions.create({
      mode: "subscription",
      customer: customer.id,
      line_items: [{ price: tiers.silver.priceId, quantity: 1 }],
      success_url: "https://tribe.example.test/checkout/success",
      client_reference_id: `discord:${userId}`,
      metadata,
      subscription_data: { metadata },
    });
    const done = h.stripe.completeCheckout(session.id);
    // customer.subscription.created and invoice.paid arrive before checkout.session.completed.
    const deliveries = await h.deliverAll();
    expect(deliveries.map((d) => d.status)).toEqual(deliveries.map(() => 200));
    const member = await h.deps.db.member.findUniqueOrThrow({ where: { id: memberId } });
    expect(member.stripeCustomerId).toBe(customer.id);
    expect(
      await h.deps.db.subscription.findUniqueOrThrow({ where: { id: done.subscription!.id } }),
    ).toMatchObject({ memberId, status: "active", tierId: tiers.silver.id });
    expect(await wishesOf(h, userId)).toEqual({ [silverRoleKey]: "grant" });
    expect(
      await h.deps.db.memberHistory.findFirst({ where: { memberId, action: "member.customer" } }),
    ).toMatchObject({ toState: customer.id });
    const completed = deliveries.find((d) => d.event.type === "checkout.session.completed")!;
    expect(await recorded(completed.event.id)).toMatchObject({ status: "applied" });
  });
});

describe("FAULT: Stripe refuses to re-read an event's object", () => {
  let h: Harness;
  let tiers: Tiers;

  beforeAll(async () => {
    ({ h, tiers } = await startLedger());
  });
  afterAll(async () => {
    await h?.stop();
  });

  const deliver = (event: Stripe.Event) => deliverSigned(h, event);

  it("for good (404 resource_missing, 403, 401): the event is recorded as failed with the reason and answered 200", async () => {
    const fan = await fanPays(h, tiers.silver.slug);
    const owed = { [silverRoleKey]: "grant" };

    // 404: a refund of a charge Stripe no longer has.
    const ghost = makeEvent("charge.refunded", {
      ...(h.stripe.chargeInvoice(fan.invoiceId!) as Stripe.Charge),
      id: "ch_TGnosuchcharge01",
    });
    const missing = await deliver(ghost);
    expect([missing.http, missing.body.status]).toEqual([200, "failed"]);
    expect(await h.deps.db.stripeEvent.findUnique({ where: { id: ghost.id } })).toMatchObject({
      status: "failed",
      outcome: expect.stringMatching(/^failed: Stripe answered 404 resource_missing to charges\.retrieve/),
    });
    const replay = await deliver(ghost);
    expect([replay.http, replay.body.status]).toEqual([200, "duplicate"]);

    // 403: a restricted key that may not read disputes.
    const charge = h.stripe.chargeInvoice(fan.invoiceId!);
    const { event: disputed } = h.stripe.openDispute(charge.id);
    h.stripe.failNext({ method: "GET", path: "/v1/disputes/:id" }, { kind: "status", status: 403 });
    const forbidden = await deliver(disputed);
    expect([forbidden.http, forbidden.body.status]).toEqual([200, "failed"]);
    expect(await h.deps.db.stripeEvent.findUnique({ where: { id: disputed.id } })).toMatchObject({
      status: "failed",
      outcome: expect.stringContaining("Stripe answered 403 to disputes.retrieve"),
    });

    // 401: the key was rolled in the Dashboard.
    const { event: renewed } = h.stripe.updateSubscription(fan.subscriptionId, {
      cancel_at_period_end: true,
    });
    h.stripe.failNext({ method: "GET", path: "/v1/subscriptions" }, { kind: "status", status: 401 });
    const unauthorized = await deliver(renewed);
    expect([unauthorized.http, unauthorized.body.status]).toEqual([200, "failed"]);

    const failures = h.logs.events("stripe.event.failed");
    expect(failures.map((l) => [l.status, l.level])).toEqual([
      [404, "error"],
      [403, "error"],
      [401, "error"],
    ]);
    expect(String(failures[1]?.msg)).toContain("give the restricted key read access");
    expect(String(failures[2]?.msg)).toContain("check STRIPE_SECRET_KEY");
    expect(h.logs.events("stripe.webhook.failed")).toEqual([]);
    // The fan keeps what they paid for.
    expect(await wishesOf(h, fan.userId)).toEqual(owed);
    expect(
      (await h.deps.db.subscription.findUniqueOrThrow({ where: { id: fan.subscriptionId } })).status,
    ).toBe("active");
  });

  it("passing failures (5xx) are answered 200 and kept queued; the worker's retry applies the payment with one re-read, through a short burst of 429s", async () => {
    const userId = newUserId();
    const paid = await fanPays(h, tiers.silver.slug, { userId, deliver: false });
    h.stripe.failNext({ method: "GET", path: "/v1/subscriptions" }, { kind: "status", status: 503 }, 100);
    const first = await h.deliverAll();
    expect(first.map((d) => d.status)).toEqual(first.map(() => 200));
    const statuses = await h.deps.db.stripeEvent.findMany({
      where: { id: { in: first.map((d) => d.event.id) } },
      select: { id: true, status: true },
    });
    const isQueued = new Set(statuses.filter((r) => r.status === "queued").map((r) => r.id));
    // Events of the test before (delivered by hand, so still in the stand-in's list) are duplicates.
    const queued = first.filter((d) => isQueued.has(d.event.id));
    expect(queued.map((d) => d.event.type).sort()).toEqual(
      ["checkout.session.completed", "customer.subscription.created", "invoice.paid"].sort(),
    );
    expect(h.logs.events("stripe.events.retry").length).toBeGreaterThan(0);
    // The signed checkout says paid: access is open before Stripe can confirm it.
    expect(await wishesOf(h, userId)).toEqual({ [silverRoleKey]: "grant" });

    // The worker's retry meets a short burst of 429s: the process's Stripe budget pauses and retries
    // the re-read itself.
    h.stripe.clearFaults();
    h.stripe.failNext({ method: "GET", path: "/v1/subscriptions" }, { kind: "rate_limit" }, 2);
    const readsBefore = h.stripe.calls.filter(
      (c) => c.path === "/v1/subscriptions" && c.status === 200,
    ).length;
    h.clock.advance(15 * 60_000);
    await h.stripeSettled();
    expect(h.stripe.calls.filter((c) => c.path === "/v1/subscriptions" && c.status === 429)).toHaveLength(2);
    // One re-read for the three events of this customer.
    expect(
      h.stripe.calls.filter((c) => c.path === "/v1/subscriptions" && c.status === 200).length - readsBefore,
    ).toBe(1);
    h.stripe.clearFaults();
    expect(await wishesOf(h, userId)).toEqual({ [silverRoleKey]: "grant" });
    for (const d of queued)
      expect((await h.deps.db.stripeEvent.findUniqueOrThrow({ where: { id: d.event.id } })).status).toBe(
        "applied",
      );
    const sub = await h.deps.db.subscription.findUniqueOrThrow({ where: { id: paid.subscriptionId } });
    expect([sub.status, sub.currentPeriodEnd === null]).toEqual(["active", false]);
  });
});
