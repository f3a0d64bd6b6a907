/**
 * Launch day against Stripe's real limits: many fans ask for a checkout in the same seconds while
 * webhook re-reads and a reconciliation run, on a Stripe stand-in with test-mode limits (25 requests
 * per second for the account and per endpoint) and latency. The bot's one Stripe budget keeps every
 * request under the limits, serves the fans first and still moves the background work.
 */
import type Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCheckout } from "../../../src/app/members/checkout.ts";
import { reconcileAll } from "../../../src/app/reconcile.ts";
import { customer } from "../../standins/stripe-objects.ts";
import { type Harness, startHarness } from "../harness.ts";
import { newUserId, setupTiers, type Tiers } from "./fixtures.ts";

const FANS = 60;
const MEMBERS = 90;

describe("launch: fans check out while background Stripe work runs, at test-mode limits", () => {
  let h: Harness;
  let tiers: Tiers;

  beforeAll(async () => {
    h = await startHarness({
      backend: "pglite",
      stripeOptions: { rateLimits: true, latency: { minMs: 20, maxMs: 60, seed: 3 } },
    });
    tiers = await setupTiers(h);
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("gives every fan their checkout link, within Stripe's limits, fans before background work", async () => {
    // Members who paid before the launch: their subscription events arrive during it (re-reads).
    const gold = h.stripe.get<Stripe.Price>(tiers.gold.priceId)!;
    const members = Array.from({ length: MEMBERS }, () => {
      const paid = h.stripe.put(customer({}));
      return {
        customerId: paid.id,
        event: h.stripe.createSubscription({ customer: paid.id, price: gold }).event,
      };
    });
    const budget = h.app.stripeBudget;
    const before = budget.stats();
    const t0 = performance.now();
    const finished: { kind: "fan" | "background"; ms: number }[] = [];
    const timed = <T>(kind: "fan" | "background", p: Promise<T>) =>
      p.then((v) => {
        finished.push({ kind, ms: performance.now() - t0 });
        return v;
      });

    const checkouts = Array.from({ length: FANS }, () =>
      timed(
        "fan",
        startCheckout(h.deps, { who: { platform: "discord", userId: newUserId() }, tier: tiers.gold.slug }),
      ),
    );
    // As soon as the first fan reaches Stripe, the background work starts: the re-read each member's
    // subscription event causes (made as the webhook handler makes it) and a reconciliation reading
    // every subscription of the account. The webhooks themselves are not delivered here: they re-read
    // inside the request today, and behind a launch's queue they would outwait the delivery timeout;
    // acknowledging them first, re-reading after, is issue #14's part 3.
    await h.stripe.waitForCall((c) => c.method === "POST" && c.path === "/v1/customers", 30_000);
    const rereads = members.map((m) =>
      timed("background", h.app.billing.customerSubscriptions(m.customerId)),
    );
    const reconciled = timed("background", reconcileAll(h.app.services, { dryRun: true }));
    const outcomes = await Promise.all(checkouts);
    const states = await Promise.all(rereads);
    const report = await reconciled;

    // Every fan got their link.
    for (const out of outcomes) {
      expect(out.kind).toBe("checkout");
      if (out.kind === "checkout") expect(out.url).toMatch(/\/checkout\/cs_test_/);
    }
    // Every re-read and the reconciliation got Stripe's answer.
    expect(states.every((subs) => subs.length === 1 && subs[0]?.status === "active")).toBe(true);
    expect(report.subscriptionsChecked).toBeGreaterThanOrEqual(MEMBERS);

    // Stripe saw no more than its limit in any second; the few 429s (if any) were all retried.
    expect(h.stripe.peakRequestsPerSecond).toBeLessThanOrEqual(25);
    const after = budget.stats();
    expect(h.stripe.rateLimitedCount).toBeLessThanOrEqual(3);
    expect(after.rateLimited - before.rateLimited).toBe(h.stripe.rateLimitedCount);
    expect(after.gaveUp).toBe(0);

    // Fans first: they waited less in the budget and finished earlier than the background work.
    const granted = (p: "interactive" | "background") => after.granted[p] - before.granted[p];
    const meanWait = (p: "interactive" | "background") =>
      (after.totalWaitMs[p] - before.totalWaitMs[p]) / granted(p);
    expect(granted("interactive")).toBeGreaterThanOrEqual(2 * FANS);
    expect(granted("background")).toBeGreaterThanOrEqual(MEMBERS);
    expect(meanWait("interactive")).toBeLessThan(meanWait("background"));
    const meanDone = (kind: "fan" | "background") => {
      const xs = finished.filter((f) => f.kind === kind).map((f) => f.ms);
      return xs.reduce((a, b) => a + b, 0) / xs.length;
    };
    expect(meanDone("fan")).toBeLessThan(meanDone("background"));
    // Background work was not starved: the first re-reads finished while fans were still queuing.
    const lastFan = Math.max(...finished.filter((f) => f.kind === "fan").map((f) => f.ms));
    expect(finished.some((f) => f.kind === "background" && f.ms < lastFan)).toBe(true);
  }, 90_000);
});
