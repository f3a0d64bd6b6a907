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

  it("a payment-mode session is paid through a payment intent whose charge can be refunded", async () => {
    standin = await startStripeStandin();
    const stripe = standin.client();
    const product = await stripe.products.create({ name: "Gold tier" });
    const once = await stripe.prices.create({ product: product.id, currency: "eur", unit_amount: 20000 });
    const fan = await stripe.customers.create({ email: "fan@example.test" });
    const session = await stripe.checkout.sessions.create({
      mode: "payment",
      customer: fan.id,
      line_items: [{ price: once.id, quantity: 1 }],
      success_url: "https://example.test/ok",
      metadata: { member_id: "42" },
    });
    expect(session).toMatchObject({ mode: "payment", payment_intent: null, amount_total: 20000 });
    const done = standin.completeCheckout(session.id);
    expect(done.subscription).toBeUndefined();
    expect(done.events.map((e) => e.type)).toEqual(["checkout.session.completed"]);
    const paid = await stripe.checkout.sessions.retrieve(session.id);
    expect(paid).toMatchObject({
      status: "complete",
      payment_status: "paid",
      subscription: null,
      invoice: null,
    });
    expect(paid.payment_intent).toMatch(/^pi_/);
    const refund = await stripe.refunds.create({ payment_intent: paid.payment_intent as string });
    const charge = await stripe.charges.retrieve(refund.charge as string);
    expect(charge).toMatchObject({ customer: fan.id, amount: 20000, currency: "eur", refunded: true });
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

  it("pauses and resumes collection as Stripe does: validated, cleared by an empty string or at resumes_at", async () => {
    standin = await startStripeStandin();
    const stripe = standin.client();
    const { subscription: sub } = standin.createSubscription({ price: standin.put(price()) });
    const resumesAt = Math.floor(Date.now() / 1000) + 30 * 24 * 3600;

    const badBehavior = await errorOf(
      stripe.subscriptions.update(sub.id, {
        pause_collection: { behavior: "later" as "void", resumes_at: resumesAt },
      }),
    );
    expect(badBehavior).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(badBehavior).toMatchObject({ statusCode: 400, param: "pause_collection[behavior]" });
    const past = await errorOf(
      stripe.subscriptions.update(sub.id, {
        pause_collection: { behavior: "void", resumes_at: Math.floor(Date.now() / 1000) - 60 },
      }),
    );
    expect(past).toMatchObject({ statusCode: 400, param: "pause_collection[resumes_at]" });
    expect(standin.events.map((e) => e.type)).toEqual(["customer.subscription.created"]);

    const paused = await stripe.subscriptions.update(sub.id, {
      pause_collection: { behavior: "void", resumes_at: resumesAt },
    });
    expect(paused.pause_collection).toEqual({ behavior: "void", resumes_at: resumesAt });
    expect(paused.status).toBe("active");
    const pausedEvent = standin.events.at(-1) as Stripe.CustomerSubscriptionUpdatedEvent;
    expect(pausedEvent.type).toBe("customer.subscription.updated");
    expect(pausedEvent.data.previous_attributes).toEqual({ pause_collection: null });

    const resumed = await stripe.subscriptions.update(sub.id, { pause_collection: "" });
    expect(resumed.pause_collection).toBeNull();
    const resumedEvent = standin.events.at(-1) as Stripe.CustomerSubscriptionUpdatedEvent;
    expect(resumedEvent.data.previous_attributes).toEqual({
      pause_collection: { behavior: "void", resumes_at: resumesAt },
    });

    await stripe.subscriptions.update(sub.id, { pause_collection: { behavior: "keep_as_draft" } });
    const { subscription: atResumesAt, event } = standin.resumePausedSubscription(sub.id);
    expect(atResumesAt.pause_collection).toBeNull();
    expect(event.type).toBe("customer.subscription.updated");
    expect((event as Stripe.CustomerSubscriptionUpdatedEvent).data.previous_attributes).toEqual({
      pause_collection: { behavior: "keep_as_draft", resumes_at: null },
    });
    expect(() => standin?.resumePausedSubscription(sub.id)).toThrow(/not paused/);
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

describe("Stripe stand-in with Stripe's manners", () => {
  it("answers past the account's limit (25/s for a test key) with Stripe's 429, headers and count", async () => {
    standin = await startStripeStandin({ rateLimits: true });
    const stripe = standin.client();
    const answers = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        stripe.customers.create({ name: `Fan ${i}` }).then(
          () => "ok",
          (e: unknown) => e as Stripe.errors.StripeError,
        ),
      ),
    );
    const refused = answers.filter((a): a is Stripe.errors.StripeError => a !== "ok");
    // The per-endpoint limit (25/s) and the test-mode account limit (25/s) are reached together:
    // at most 25 admitted within a second, every other request refused and counted.
    expect(standin.peakRequestsPerSecond).toBe(25);
    expect(refused.length).toBeGreaterThanOrEqual(10);
    expect(standin.rateLimitedCount).toBe(refused.length);
    const err = refused[0]!;
    expect(err).toBeInstanceOf(Stripe.errors.StripeRateLimitError);
    expect(err.statusCode).toBe(429);
    expect(err.type).toBe("StripeRateLimitError");
    expect(err.code).toBe("rate_limit");
    expect(err.message).toMatch(/^Request rate limit exceeded/);
    expect(err.headers).toMatchObject({ "stripe-rate-limited-reason": "global-rate" });
    expect(err.headers?.["request-id"]).toMatch(/^req_/);
    // Stripe asks for no retry of a rate limit: stripe-node does not retry it.
    expect(err.headers?.["stripe-should-retry"]).toBeUndefined();
    expect(err.headers?.["retry-after"]).toBeUndefined();
    const last = standin.calls.filter((c) => c.status === 429).at(-1);
    expect(last?.response).toEqual({
      error: {
        type: "invalid_request_error",
        code: "rate_limit",
        message:
          "Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.",
      },
    });
    // A second later the window has room again.
    await new Promise((r) => setTimeout(r, 1000));
    await expect(stripe.customers.list({ limit: 1 })).resolves.toMatchObject({ object: "list" });
  });

  it("limits each endpoint apart (25/s) under a live key's higher account limit (100/s)", async () => {
    standin = await startStripeStandin({ secretKey: "sk_live_standin0123456789", rateLimits: true });
    const stripe = standin.client();
    const outcome = (p: Promise<unknown>) =>
      p.then(
        () => "ok",
        (e: unknown) => String((e as Stripe.errors.StripeError).headers?.["stripe-rate-limited-reason"]),
      );
    const creates = await Promise.all(Array.from({ length: 60 }, () => outcome(stripe.customers.create({}))));
    const lists = await Promise.all(
      Array.from({ length: 20 }, () => outcome(stripe.customers.list({ limit: 1 }))),
    );
    // 80 requests, more than one endpoint's 25/s but within the live account's 100/s: only the
    // endpoint limit refuses, and only the creates.
    const refused = creates.filter((o) => o !== "ok");
    expect(refused.length).toBeGreaterThanOrEqual(10);
    expect(refused.every((o) => o === "endpoint-rate")).toBe(true);
    expect(lists.every((o) => o === "ok")).toBe(true);
    expect(standin.rateLimitedCount).toBe(refused.length);
  });

  it("a lock timeout is a 429 Stripe asks to retry, which stripe-node does", async () => {
    standin = await startStripeStandin();
    standin.failNext({ method: "POST", path: "/v1/customers" }, { kind: "lock_timeout" });
    const fan = await standin.client(undefined, { maxNetworkRetries: 1 }).customers.create({});
    expect(fan.id).toMatch(/^cus_/);
    const [locked, ok] = standin.calls;
    expect(locked?.status).toBe(429);
    expect(locked?.response).toMatchObject({ error: { code: "lock_timeout" } });
    expect(ok?.status).toBe(200);
    expect(standin.rateLimitedCount).toBe(0);
  });

  it("answers after a seeded latency: in range, the same draws on every run", async () => {
    const timings = async () => {
      const s = await startStripeStandin({ latency: { minMs: 60, maxMs: 120, seed: 7 } });
      try {
        const stripe = s.client();
        const took: number[] = [];
        for (let i = 0; i < 5; i++) {
          const t0 = performance.now();
          await stripe.customers.create({});
          took.push(performance.now() - t0);
        }
        return took;
      } finally {
        await s.close();
      }
    };
    const first = await timings();
    const second = await timings();
    for (const ms of [...first, ...second]) {
      expect(ms).toBeGreaterThanOrEqual(59);
      expect(ms).toBeLessThan(400);
    }
    // Same seed, same sequence (within timer and scheduling noise).
    for (let i = 0; i < first.length; i++) expect(Math.abs(first[i]! - second[i]!)).toBeLessThan(40);
    expect(Math.max(...first) - Math.min(...first)).toBeGreaterThan(5);
  });

  it("retries a webhook delivery that times out or fails, on its backoff list, while later events go on", async () => {
    const secret = "whsec_test_standin";
    let calls = 0;
    const server = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        calls++;
        if (calls === 1) return; // never answered: the delivery times out
        if (calls === 3) return void res.writeHead(500).end("busy");
        res.writeHead(200).end("ok");
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/stripe/webhook`;
      standin = await startStripeStandin({ webhooks: { timeoutMs: 200, retryBackoffMs: [50, 50, 50] } });
      const { event: first } = standin.createSubscription({});
      const { event: second } = standin.createSubscription({});
      const deliveries = await standin.deliverEvents(url, secret);
      expect(deliveries.map((d) => [d.event.id, d.status, d.attempts])).toEqual([
        [first.id, 200, 3],
        [second.id, 200, 1],
      ]);
      expect(standin.webhookAttempts.map((a) => [a.eventId, a.attempt, a.status])).toEqual([
        [first.id, 1, 0],
        [second.id, 1, 200],
        [first.id, 2, 500],
        [first.id, 3, 200],
      ]);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
