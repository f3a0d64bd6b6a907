/**
 * Webhook ingest: signed Stripe events per second accepted and applied (signature check, dedupe,
 * durable insert answered at once; then the worker's re-read and one transaction with the access jobs
 * per customer), counted until the queue is drained; and the acknowledgment latency of each (POST →
 * answer, which comes once the event is recorded, before it is applied).
 *
 * Workload: N fans check out (tier with a Discord role); Stripe's events for those checkouts
 * (customer.created, customer.subscription.created, invoice.paid, checkout.session.completed: 4 per
 * fan) are delivered with `concurrency` requests in flight, as Stripe does in bursts.
 */
import { createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type Stripe from "stripe";
import { queuedStripeEvents } from "../src/app/billing/stripeEvents.ts";
import { startCheckout } from "../src/app/members/checkout.ts";
import { addTierAccess, createTier } from "../src/app/tiers.ts";
import { startTribegate } from "../src/bootstrap.ts";
import { createLogger } from "../src/log.ts";
import { startStripeStandin } from "../test/standins/stripe.ts";
import { signedWebhook } from "../test/standins/stripe-webhooks.ts";
import { benchConfig, benchDatabase, mark, record, round, summarize } from "./lib.ts";

const KEY = "sk_test_bench0000000000";
const SECRET = "whsec_bench0000000000000";

export async function benchIngest(
  backend: "pglite" | "postgres",
  opts: { fans: number; concurrency: number },
): Promise<void> {
  const stripe = await startStripeStandin({ secretKey: KEY });
  const pgdb = backend === "postgres" ? await benchDatabase() : undefined;
  const dataDir = mkdtempSync(path.join(tmpdir(), "tg-bench-"));
  const config = benchConfig({
    stripe: { origin: stripe.origin, secretKey: KEY, webhookSecret: SECRET },
    dataDir,
    databaseUrl: pgdb?.url,
  });
  const log = createLogger({ level: "info", destination: createWriteStream("/dev/null") });
  const app = await startTribegate({ config, log, reconcileOnStart: false, doctorOnStart: false });
  try {
    mark(`ingest ${backend} checkouts`);
    const deps = app.services;
    const tier = await createTier(deps, { name: "Bench", amount: 500, currency: "eur" });
    await addTierAccess(deps, tier.slug, { platform: "discord", guildId: "1", roleId: "2" });
    for (let i = 0; i < opts.fans; i++) {
      const out = await startCheckout(deps, {
        who: { platform: "discord", userId: String(10_000_000 + i) },
        tier: tier.slug,
      });
      if (out.kind === "checkout") stripe.completeCheckout(out.sessionId);
    }
    const events: Stripe.Event[] = [...stripe.events];
    const url = `${app.http.url}/stripe/webhook`;
    const latencies: number[] = [];
    let failures = 0;
    let next = 0;
    mark(`ingest ${backend} delivery`);
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: opts.concurrency }, async () => {
        while (next < events.length) {
          const event = events[next++]!;
          const { body, headers } = signedWebhook(event, SECRET);
          const start = performance.now();
          const res = await fetch(url, { method: "POST", headers, body });
          await res.arrayBuffer();
          latencies.push(performance.now() - start);
          if (res.status !== 200) failures++;
        }
      }),
    );
    while ((await queuedStripeEvents(deps.db)) > 0) await new Promise((r) => setTimeout(r, 20));
    const wall = (performance.now() - t0) / 1000;
    mark(`ingest ${backend} checks`);
    const jobs = await deps.db.accessJob.count();
    if (failures > 0 || jobs !== opts.fans)
      throw new Error(`ingest: ${failures} failed deliveries, ${jobs} jobs for ${opts.fans} fans`);
    const s = summarize(latencies);
    record({
      bench: "webhook ingest",
      backend,
      metric: "events/s (acknowledged and applied)",
      value: round(events.length / wall),
      unit: "events/s",
    });
    record({
      bench: "webhook ingest",
      backend,
      metric: "acknowledgment latency median",
      value: round(s.median),
      unit: "ms",
    });
    record({
      bench: "webhook ingest",
      backend,
      metric: "acknowledgment latency p99",
      value: round(s.p99),
      unit: "ms",
    });
    record({
      bench: "webhook ingest",
      backend,
      metric: "events (fans × 4)",
      value: events.length,
      unit: "events",
    });
  } finally {
    await app.stop();
    await stripe.close();
    await pgdb?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
