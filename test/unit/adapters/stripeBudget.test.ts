import Stripe from "stripe";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createBilling, createStripeClient } from "../../../src/adapters/stripe/billing.ts";
import {
  BudgetedHttpClient,
  budgetSettings,
  endpointOf,
  type Grant,
  StripeBudget,
  type StripePriority,
} from "../../../src/adapters/stripe/budget.ts";
import { inTurn } from "../../../src/lib/turn.ts";
import { startStripeStandin } from "../../standins/stripe.ts";
import { price, product, subscription } from "../../standins/stripe-objects.ts";

/** Grants recorded in order, with the fake clock's time. */
function recorder(budget: StripeBudget) {
  const grants: { priority: StripePriority; endpoint: string; at: number; id: number }[] = [];
  let id = 0;
  const ask = (endpoint: string, priority: StripePriority) => {
    const mine = id++;
    return budget.acquire(endpoint, priority).then((g) => {
      grants.push({ priority, endpoint, at: Date.now(), id: mine });
      return g;
    });
  };
  return { grants, ask };
}

/** The most grants within any window of one second. */
function peakPerSecond(times: number[]): number {
  let peak = 0;
  for (let i = 0; i < times.length; i++) {
    const inWindow = times.filter((t) => t >= (times[i] as number) && t < (times[i] as number) + 1000);
    peak = Math.max(peak, inWindow.length);
  }
  return peak;
}

describe("Stripe budget", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const budgetOf = (opts: Partial<ConstructorParameters<typeof StripeBudget>[0]> = {}) =>
    new StripeBudget({ requestsPerSecond: 10, now: () => Date.now(), random: () => 1, ...opts });

  it("keeps to its requests per second for the process and per endpoint, spread over the second", async () => {
    const budget = budgetOf({ requestsPerSecond: 10, endpointRequestsPerSecond: 4 });
    const { grants, ask } = recorder(budget);
    const all = [
      ...Array.from({ length: 20 }, () => ask("POST /v1/checkout/sessions", "interactive")),
      ...Array.from({ length: 20 }, () => ask("GET /v1/subscriptions", "background")),
      ...Array.from({ length: 10 }, () => ask("GET /v1/charges/:id", "background")),
    ];
    await vi.advanceTimersByTimeAsync(10_000);
    await Promise.all(all);
    expect(grants).toHaveLength(50);
    expect(peakPerSecond(grants.map((g) => g.at))).toBeLessThanOrEqual(10);
    // Spread out: no more than a burst of 2 (a fifth of 10) within any 100 ms.
    const times = grants.map((g) => g.at);
    for (const t of times) expect(times.filter((u) => u >= t && u < t + 100).length).toBeLessThanOrEqual(2);
    for (const endpoint of new Set(grants.map((g) => g.endpoint))) {
      const times = grants.filter((g) => g.endpoint === endpoint).map((g) => g.at);
      expect(peakPerSecond(times), endpoint).toBeLessThanOrEqual(4);
    }
    // Not slower than it must be: the 20 checkouts alone need about 5 s at 4/s.
    expect(Math.max(...grants.map((g) => g.at)) - Math.min(...grants.map((g) => g.at))).toBeLessThan(5_500);
    expect(budget.stats().granted).toEqual({ interactive: 20, background: 30 });
  });

  it("serves interactive requests first and still gives background work its share", async () => {
    const budget = budgetOf({ requestsPerSecond: 4, backgroundShare: 0.25 });
    const { grants, ask } = recorder(budget);
    // A backlog of background re-reads, then a crowd of fans.
    const background = Array.from({ length: 24 }, () => ask("GET /v1/subscriptions", "background"));
    const interactive = Array.from({ length: 24 }, () => ask("POST /v1/checkout/sessions", "interactive"));
    await vi.advanceTimersByTimeAsync(20_000);
    await Promise.all([...background, ...interactive]);
    // The first second's 4 went to the background work that was alone; from then on, while both
    // wait, never more than 3 interactive grants in a row (background is never starved)...
    const contested = grants.slice(4, 4 + 24);
    let run = 0;
    for (const g of contested) {
      run = g.priority === "interactive" ? run + 1 : 0;
      expect(run).toBeLessThanOrEqual(3);
    }
    expect(contested.filter((g) => g.priority === "background").length).toBeGreaterThanOrEqual(6);
    // ...and fans wait less than background work on average, and finish first.
    const stats = budget.stats();
    const mean = (p: StripePriority) => stats.totalWaitMs[p] / stats.granted[p];
    expect(mean("interactive")).toBeLessThan(mean("background"));
    const lastOf = (p: StripePriority) =>
      Math.max(...grants.filter((g) => g.priority === p).map((g) => g.at));
    expect(lastOf("interactive")).toBeLessThan(lastOf("background"));
  });

  it("serves the fan who asked first first: a fan's second call goes before a later fan's first", async () => {
    const budget = budgetOf({ requestsPerSecond: 4 });
    const order: string[] = [];
    // Twelve fans press /join at once; each checkout is two calls in a row (a customer, then a session).
    const fan = (n: number) =>
      inTurn(async () => {
        await budget.acquire("POST /v1/customers", "interactive");
        order.push(`${n}:customer`);
        await budget.acquire("POST /v1/checkout/sessions", "interactive");
        order.push(`${n}:session`);
      });
    const fans = Array.from({ length: 12 }, (_, n) => fan(n));
    await vi.advanceTimersByTimeAsync(20_000);
    await Promise.all(fans);
    const at = (step: string) => order.indexOf(step);
    // Without the request's place in line, every fan's session would wait behind all twelve
    // customers: fan 0 would be done 13th. Here each fan is done before the fans two places behind
    // even start.
    for (let n = 0; n + 2 < 12; n++) expect(at(`${n}:session`)).toBeLessThan(at(`${n + 2}:customer`));
    expect(at("0:session")).toBeLessThanOrEqual(2);
    // Background calls keep the order they came in, even those of a request that started earlier
    // (a reconciliation the creator asked for does not hold back the re-reads queued after it).
    const plain: string[] = [];
    let release = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    const early = inTurn(async () => {
      await held;
      await Promise.all(
        [0, 1].map((n) =>
          budget.acquire("GET /v1/subscriptions", "background").then(() => plain.push(`early ${n}`)),
        ),
      );
    });
    const later = Array.from({ length: 4 }, (_, n) =>
      inTurn(() =>
        budget.acquire("GET /v1/subscriptions", "background").then(() => plain.push(`later ${n}`)),
      ),
    );
    release();
    await vi.advanceTimersByTimeAsync(5_000);
    await Promise.all([early, ...later]);
    expect(plain).toEqual(["later 0", "later 1", "later 2", "later 3", "early 0", "early 1"]);
  });

  it("lets another endpoint's request pass when the first waiting one's endpoint is full", async () => {
    const budget = budgetOf({ requestsPerSecond: 10, endpointRequestsPerSecond: 2 });
    const { grants, ask } = recorder(budget);
    const p = [
      ask("POST /v1/checkout/sessions", "interactive"),
      ask("POST /v1/checkout/sessions", "interactive"),
      ask("POST /v1/checkout/sessions", "interactive"),
      ask("POST /v1/billing_portal/sessions", "interactive"),
    ];
    // The checkout endpoint (2/s) has to wait for its next slot; the portal's goes meanwhile.
    await vi.advanceTimersByTimeAsync(400);
    expect(grants.map((g) => g.id)).toEqual([0, 3]);
    await vi.advanceTimersByTimeAsync(2000);
    await Promise.all(p);
    expect(grants.map((g) => g.id)).toEqual([0, 3, 1, 2]);
  });

  it("after a 429 pauses every request, whatever its priority or endpoint, then paces slower", async () => {
    const budget = budgetOf({ requestsPerSecond: 10, backoffBaseMs: 1000 });
    const { grants, ask } = recorder(budget);
    const first = await ask("GET /v1/subscriptions", "background");
    const pause = budget.rateLimited({
      grant: first,
      endpoint: "GET /v1/subscriptions",
      priority: "background",
      attempt: 0,
    });
    expect(pause).toBe(1000);
    expect(budget.stats().requestsPerSecondNow).toBe(5);
    const t0 = Date.now();
    const later = Array.from({ length: 20 }, (_, i) =>
      ask(i % 2 ? "POST /v1/checkout/sessions" : "GET /v1/customers/:id", "interactive"),
    );
    await vi.advanceTimersByTimeAsync(999);
    expect(grants).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(10_000);
    await Promise.all(later);
    const after = grants.slice(1).map((g) => g.at);
    expect(Math.min(...after)).toBe(t0 + 1000);
    // Halved to 5/s during the first second after the pause, growing back by 1/s each second.
    expect(after.filter((t) => t < t0 + 2000)).toHaveLength(5);
    expect(after.filter((t) => t >= t0 + 2000 && t < t0 + 3000)).toHaveLength(6);
    expect(budget.stats().rateLimited).toBe(1);
  });

  it("doubles the pause for 429s in a row, not for those already in flight, and honours Retry-After", async () => {
    const budget = budgetOf({ requestsPerSecond: 100, backoffBaseMs: 100, backoffMaxMs: 1000 });
    const a = await budget.acquire("GET /v1/subscriptions", "background");
    const b = await budget.acquire("GET /v1/subscriptions", "background");
    const info = (grant: Grant) => ({
      grant,
      endpoint: "GET /v1/subscriptions",
      priority: "background" as const,
      attempt: 0,
    });
    expect(budget.rateLimited(info(a))).toBe(100);
    // b was sent before the pause began: the same episode, no longer pause.
    expect(budget.rateLimited(info(b))).toBe(100);
    await vi.advanceTimersByTimeAsync(100);
    const c = await budget.acquire("GET /v1/subscriptions", "background");
    expect(budget.rateLimited(info(c))).toBe(200);
    await vi.advanceTimersByTimeAsync(200);
    const d = await budget.acquire("GET /v1/subscriptions", "background");
    budget.answered(d);
    const e = await budget.acquire("GET /v1/subscriptions", "background");
    // The streak ended with d's answer: back to the first pause, unless Stripe says how long.
    expect(budget.rateLimited({ ...info(e), retryAfterMs: 3000 })).toBe(3000);
  });

  it("refuses waiting requests when closed", async () => {
    const budget = budgetOf({ requestsPerSecond: 1 });
    await budget.acquire("GET /v1/subscriptions", "background");
    const waiting = budget.acquire("GET /v1/subscriptions", "background");
    budget.close();
    await expect(waiting).rejects.toThrow(/closed/);
  });
});

describe("budget settings and endpoints", () => {
  it("reads the mode from the key and keeps below Stripe's limits", () => {
    expect(budgetSettings("sk_test_abc")).toEqual({
      mode: "test",
      requestsPerSecond: 20,
      endpointRequestsPerSecond: 20,
      source: "key",
    });
    expect(budgetSettings("rk_live_abc")).toMatchObject({
      mode: "live",
      requestsPerSecond: 80,
      endpointRequestsPerSecond: 20,
    });
    expect(budgetSettings("sk_live_abc", 10)).toMatchObject({
      requestsPerSecond: 10,
      endpointRequestsPerSecond: 10,
      source: "setting",
    });
  });

  it("names endpoints without their ids", () => {
    expect(endpointOf("get", "/v1/customers/cus_NffrFeUfNV2Hib")).toBe("GET /v1/customers/:id");
    expect(endpointOf("POST", "/v1/checkout/sessions/cs_test_a1b2/expire")).toBe(
      "POST /v1/checkout/sessions/:id/expire",
    );
    expect(endpointOf("POST", "/v1/billing_portal/sessions")).toBe("POST /v1/billing_portal/sessions");
    expect(endpointOf("GET", "/v1/subscriptions?customer=cus_TG1&status=all")).toBe("GET /v1/subscriptions");
  });
});

/** A stripe-node HTTP client answering from a script, recording each request. */
class ScriptedClient extends Stripe.HttpClient {
  readonly seen: string[] = [];
  constructor(readonly answers: { status: number; headers?: Record<string, string>; body?: unknown }[]) {
    super();
  }
  override getClientName(): string {
    return "scripted";
  }
  override async makeRequest(_host: string, _port: string, path: string, method: string) {
    this.seen.push(`${method} ${path}`);
    const a = this.answers.shift() ?? { status: 200 };
    const body = a.body ?? (a.status === 200 ? { id: "cus_TG1", object: "customer" } : {});
    return {
      getStatusCode: () => a.status,
      getHeaders: () => ({ "request-id": "req_1", ...a.headers }),
      getRawResponse: () => ({}),
      toStream: () => {
        throw new Error("no stream");
      },
      toJSON: async () => body,
    };
  }
}

const RATE_LIMITED = {
  status: 429,
  headers: { "stripe-rate-limited-reason": "global-rate" },
  body: {
    error: { type: "invalid_request_error", code: "rate_limit", message: "Request rate limit exceeded." },
  },
};

describe("BudgetedHttpClient with stripe-node", () => {
  const clientWith = (answers: ScriptedClient["answers"], maxRateLimitRetries = 2) => {
    const inner = new ScriptedClient(answers);
    const budget = new StripeBudget({ requestsPerSecond: 100, backoffBaseMs: 1, maxRateLimitRetries });
    const stripe = new Stripe("sk_test_budget", {
      httpClient: new BudgetedHttpClient(budget, inner),
      maxNetworkRetries: 2,
      telemetry: false,
    });
    return { inner, budget, stripe };
  };

  it("retries a rate-limited request itself and slows the budget", async () => {
    const { inner, budget, stripe } = clientWith([RATE_LIMITED, RATE_LIMITED, { status: 200 }]);
    const found = await stripe.customers.retrieve("cus_TG1");
    expect(found.id).toBe("cus_TG1");
    expect(inner.seen).toHaveLength(3);
    expect(budget.stats()).toMatchObject({ rateLimited: 2, retried: 2, gaveUp: 0 });
  });

  it("gives the caller the 429 when retries run out; stripe-node does not retry it again", async () => {
    const { inner, budget, stripe } = clientWith([RATE_LIMITED, RATE_LIMITED, RATE_LIMITED, RATE_LIMITED]);
    const err = await stripe.customers.retrieve("cus_TG1").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Stripe.errors.StripeRateLimitError);
    expect(inner.seen).toHaveLength(3);
    expect(budget.stats()).toMatchObject({ rateLimited: 3, retried: 2, gaveUp: 1 });
  });

  it("never retries a 429 Stripe marks Stripe-Should-Retry: false", async () => {
    const { inner, budget, stripe } = clientWith([
      { ...RATE_LIMITED, headers: { "stripe-should-retry": "false" } },
      { status: 200 },
    ]);
    await expect(stripe.customers.retrieve("cus_TG1")).rejects.toBeInstanceOf(
      Stripe.errors.StripeRateLimitError,
    );
    expect(inner.seen).toHaveLength(1);
    expect(budget.stats().gaveUp).toBe(1);
  });

  it("leaves a lock timeout (Stripe-Should-Retry: true) to stripe-node, without slowing the budget", async () => {
    const { inner, budget, stripe } = clientWith([
      {
        status: 429,
        headers: { "stripe-should-retry": "true" },
        body: { error: { type: "invalid_request_error", code: "lock_timeout", message: "locked" } },
      },
      { status: 200 },
    ]);
    const found = await stripe.customers.retrieve("cus_TG1");
    expect(found.id).toBe("cus_TG1");
    expect(inner.seen).toHaveLength(2);
    expect(budget.stats()).toMatchObject({ rateLimited: 0, retried: 0, granted: { background: 2 } });
  });
});

describe("Billing priorities", () => {
  it("tags each call: fans' calls interactive, re-reads and the raw client background, withPriority overrides", async () => {
    const standin = await startStripeStandin();
    try {
      const seen: { endpoint: string; priority: StripePriority }[] = [];
      class Spy extends StripeBudget {
        override acquire(endpoint: string, priority: StripePriority, retry?: boolean) {
          seen.push({ endpoint, priority });
          return super.acquire(endpoint, priority, retry);
        }
      }
      const budget = new Spy({ requestsPerSecond: 1000 });
      const client = createStripeClient(
        { secretKey: standin.secretKey, webhookSecret: undefined, apiUrl: standin.origin },
        { budget },
      );
      const billing = createBilling(client);
      const gold = standin.put(price({ product: standin.put(product({ name: "Gold" })).id }));
      const customerId = await billing.createCustomer({ metadata: {} });
      for (let i = 0; i < 101; i++) standin.put(subscription({ customer: customerId, price: gold }));
      const take = () => seen.splice(0).map((s) => `${s.priority} ${s.endpoint}`);

      expect(take()).toEqual(["interactive POST /v1/customers"]);
      await billing.customerSubscriptions(customerId);
      expect(take()).toEqual(["background GET /v1/subscriptions", "background GET /v1/subscriptions"]);
      await billing.withPriority("background").customerStatus(customerId);
      expect(take()).toEqual(["background GET /v1/customers/:id"]);
      let n = 0;
      for await (const _ of billing.withPriority("interactive").allSubscriptions()) n++;
      expect(n).toBe(101);
      expect(take()).toEqual(["interactive GET /v1/subscriptions", "interactive GET /v1/subscriptions"]);
      await client.customers.list({ limit: 1 });
      expect(take()).toEqual(["background GET /v1/customers"]);
    } finally {
      await standin.close();
    }
  });
});
