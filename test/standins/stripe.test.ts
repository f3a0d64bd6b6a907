import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import Stripe from "stripe";
import { afterEach, describe, expect, it } from "vitest";
import {
  deliverWebhook,
  makeEvent,
  type StripeStandin,
  signedWebhook,
  startStripeStandin,
} from "./stripe.ts";
import { customer, price, subscription } from "./stripe-objects.ts";

let standin: StripeStandin | undefined;

afterEach(async () => {
  await standin?.close();
  standin = undefined;
});

const errorOf = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as Stripe.errors.StripeError,
  );

describe("Stripe stand-in with stripe-node", () => {
  it("creates product, price, customer and a checkout session; records the parsed nested body", async () => {
    standin = await startStripeStandin();
    const stripe = standin.client();
    const product = await stripe.products.create({ name: "Gold tier" });
    const gold = await stripe.prices.create({
      product: product.id,
      currency: "eur",
      unit_amount: 900,
      recurring: { interval: "month" },
    });
    const fan = await stripe.customers.create({ email: "fan@example.test", metadata: { discord_id: "42" } });
    const session = await stripe.checkout.sessions.create({
      mode: "subscription",
      customer: fan.id,
      client_reference_id: "member_42",
      line_items: [{ price: gold.id, quantity: 1 }],
      metadata: { member_id: "42", tier: "gold" },
      subscription_data: { metadata: { member_id: "42" } },
      allow_promotion_codes: true,
      success_url: "https://bot.example.test/ok",
      cancel_url: "https://bot.example.test/cancel",
    });

    expect(session).toMatchObject({
      object: "checkout.session",
      url: `${standin.origin}/checkout/${session.id}`,
      client_reference_id: "member_42",
      metadata: { member_id: "42", tier: "gold" },
      amount_total: 900,
      currency: "eur",
      status: "open",
    });
    expect(gold.recurring?.interval).toBe("month");
    const call = standin.calls.find((c) => c.method === "POST" && c.path === "/v1/checkout/sessions");
    expect(call?.body).toEqual({
      mode: "subscription",
      customer: fan.id,
      client_reference_id: "member_42",
      line_items: [{ price: gold.id, quantity: "1" }],
      metadata: { member_id: "42", tier: "gold" },
      subscription_data: { metadata: { member_id: "42" } },
      allow_promotion_codes: "true",
      success_url: "https://bot.example.test/ok",
      cancel_url: "https://bot.example.test/cancel",
    });
    expect(call?.idempotencyKey).toMatch(/^stripe-node-retry-/);
    expect(call?.headers["stripe-version"]).toBe(Stripe.API_VERSION);

    const expanded = await stripe.checkout.sessions.retrieve(session.id, {
      expand: ["line_items", "customer"],
    });
    expect(expanded.line_items?.data[0]?.price?.id).toBe(gold.id);
    expect((expanded.customer as Stripe.Customer).email).toBe("fan@example.test");

    // The fan pays: the subscription carries subscription_data.metadata; events are recorded.
    const done = standin.completeCheckout(session.id);
    expect(done.subscription?.metadata).toEqual({ member_id: "42" });
    expect(done.events.map((e) => e.type)).toEqual([
      "customer.subscription.created",
      "invoice.paid",
      "checkout.session.completed",
    ]);
    const paid = await stripe.checkout.sessions.retrieve(session.id);
    expect(paid).toMatchObject({
      status: "complete",
      payment_status: "paid",
      subscription: done.subscription?.id,
    });
  });

  it("lists subscriptions newest first across pages with autoPagingToArray", async () => {
    standin = await startStripeStandin();
    const owner = standin.put(customer());
    const created = Array.from(
      { length: 25 },
      (_, i) => standin!.createSubscription({ customer: owner.id, metadata: { n: String(i) } }).subscription,
    );
    standin.createSubscription({ status: "canceled" }); // not listed: canceled, and another customer

    const all = await standin
      .client()
      .subscriptions.list({ customer: owner.id, limit: 10 })
      .autoPagingToArray({ limit: 100 });
    expect(all.map((s) => s.id)).toEqual(created.map((s) => s.id).reverse());
    const pages = standin.calls.filter((c) => c.path === "/v1/subscriptions");
    expect(pages.map((c) => c.query.starting_after)).toEqual([undefined, created[15]?.id, created[5]?.id]);
  });

  it("maps errors to stripe-node's classes: missing object, bad currency, bad key, 429, 500, idempotency", async () => {
    standin = await startStripeStandin();
    const stripe = standin.client();

    const missing = await errorOf(stripe.customers.retrieve("cus_nope"));
    expect(missing).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(missing).toMatchObject({
      statusCode: 404,
      code: "resource_missing",
      message: "No such customer: 'cus_nope'",
    });

    const currency = await errorOf(
      stripe.prices.create({ currency: "xyz", unit_amount: 5, product_data: { name: "x" } }),
    );
    expect(currency).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(currency).toMatchObject({ statusCode: 400, param: "currency" });

    const oneTime = await stripe.prices.create({
      currency: "usd",
      unit_amount: 500,
      product_data: { name: "Once" },
    });
    const wrongMode = await errorOf(
      stripe.checkout.sessions.create({
        mode: "subscription",
        line_items: [{ price: oneTime.id }],
        success_url: "https://x.test",
      }),
    );
    expect(wrongMode?.message).toMatch(/at least one recurring price in `subscription` mode/);

    const badKey = await errorOf(standin.client("sk_test_wrong_key_0000").customers.list());
    expect(badKey).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);

    standin.failNext({ path: "/v1/customers" }, { kind: "rate_limit" });
    expect(await errorOf(stripe.customers.create({}))).toBeInstanceOf(Stripe.errors.StripeRateLimitError);
    standin.failNext({ method: "GET", path: "/v1/subscriptions/:id" }, { kind: "status", status: 500 });
    expect(await errorOf(stripe.subscriptions.retrieve("sub_x"))).toBeInstanceOf(
      Stripe.errors.StripeAPIError,
    );

    const first = await stripe.customers.create({ email: "a@example.test" }, { idempotencyKey: "member-7" });
    const again = await stripe.customers.create({ email: "a@example.test" }, { idempotencyKey: "member-7" });
    expect(again.id).toBe(first.id);
    const other = await errorOf(
      stripe.customers.create({ email: "b@example.test" }, { idempotencyKey: "member-7" }),
    );
    expect(other).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
  });

  it("a hang fault makes stripe-node time out", async () => {
    standin = await startStripeStandin();
    standin.failNext({ path: "/v1/customers" }, { kind: "hang" });
    const error = await errorOf(standin.client(undefined, { timeout: 300 }).customers.list());
    expect(error).toBeInstanceOf(Stripe.errors.StripeConnectionError);
    expect(standin.calls[0]?.status).toBe("hang");
  });

  it("updates and cancels subscriptions, recording the events Stripe would send", async () => {
    standin = await startStripeStandin();
    const stripe = standin.client();
    const { subscription: sub } = standin.createSubscription({
      price: standin.put(price()),
      metadata: { member_id: "9" },
    });

    const ending = await stripe.subscriptions.update(sub.id, {
      cancel_at_period_end: true,
      metadata: { reason: "moving" },
    });
    expect(ending.cancel_at).toBe(sub.items.data[0]?.current_period_end);
    expect(ending.metadata).toEqual({ member_id: "9", reason: "moving" });
    const updated = standin.events.at(-1) as Stripe.CustomerSubscriptionUpdatedEvent;
    expect(updated.type).toBe("customer.subscription.updated");
    expect(updated.data.previous_attributes).toMatchObject({ cancel_at_period_end: false, cancel_at: null });

    const canceled = await stripe.subscriptions.cancel(sub.id);
    expect(canceled.status).toBe("canceled");
    expect(standin.events.at(-1)?.type).toBe("customer.subscription.deleted");
    const listed = await stripe.subscriptions.list({ status: "all" });
    expect(listed.data.map((s) => s.status)).toEqual(["canceled"]);
  });

  it("signs webhooks that constructEvent accepts; a wrong secret or a stale timestamp is rejected", async () => {
    const secret = "whsec_test_standin";
    const event = makeEvent("customer.subscription.updated", subscription({ status: "past_due" }), {
      previousAttributes: { status: "active" },
    });
    expect(event).toMatchObject({ object: "event", api_version: Stripe.API_VERSION, livemode: false });
    const verifier = new Stripe("sk_test_unused");

    const { body, headers } = signedWebhook(event, secret);
    const parsed = verifier.webhooks.constructEvent(body, headers["stripe-signature"]!, secret);
    expect(parsed.id).toBe(event.id);
    expect((parsed as Stripe.CustomerSubscriptionUpdatedEvent).data.object.status).toBe("past_due");

    expect(() => verifier.webhooks.constructEvent(body, headers["stripe-signature"]!, "whsec_other")).toThrow(
      Stripe.errors.StripeSignatureVerificationError,
    );
    const stale = signedWebhook(event, secret, { timestamp: Math.floor(Date.now() / 1000) - 600 });
    expect(() =>
      verifier.webhooks.constructEvent(stale.body, stale.headers["stripe-signature"]!, secret),
    ).toThrow(/Timestamp outside the tolerance zone/);

    // deliverWebhook POSTs the raw body a receiver can verify.
    const received: string[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const raw = Buffer.concat(chunks);
        verifier.webhooks.constructEvent(raw, String(req.headers["stripe-signature"]), secret);
        received.push(raw.toString("utf8"));
        res.writeHead(200).end("ok");
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/stripe`;
      expect(await deliverWebhook(url, event, secret)).toEqual({ status: 200, body: "ok" });
      expect(JSON.parse(received[0] ?? "{}").id).toBe(event.id);

      // The stand-in's own events (here: a subscription created directly) are delivered in order, once.
      standin = await startStripeStandin();
      const { event: created } = standin.createSubscription({});
      const deliveries = await standin.deliverEvents(url, secret);
      expect(deliveries.map((d) => [d.event.id, d.status])).toEqual([[created.id, 200]]);
      expect(await standin.deliverEvents(url, secret)).toEqual([]);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
