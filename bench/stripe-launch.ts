/**
 * Launch day against Stripe's real manners (issue #14): `fans` Discord fans ask for a checkout,
 * spread evenly over `windowS` seconds, and pay at once; the Stripe stand-in answers after 150–400 ms
 * (seeded) and keeps Stripe's limits for the key's mode (test: 25 requests/s; live: 100/s; 25/s per
 * endpoint; 429 past them).
 *
 *   npx tsx bench/stripe-launch.ts [--fans 1000] [--window-s 60] [--backend pglite|postgres|both]
 *       [--mode test|live|both] [--normal-fans 20] [--ack-events 3000] [--seed 14]
 *
 * Each fan: /join's use case (`startCheckout`, called through `useCases` as the adapters call it:
 * a customer, then a checkout session, interactive in the Stripe budget, the second call keeping the
 * fan's place in line); the checkout completes on the stand-in and the events Stripe sends for it
 * (customer.created, customer.subscription.created, invoice.paid, checkout.session.completed) are
 * POSTed to the bot signed, all at once, shuffled, a quarter of them twice; a delivery not answered
 * 2xx is sent again a second later (counted). Access is the Discord role PUT on the stand-in.
 *
 * Prints, target beside each: webhook acknowledgment latency; payment → role during the burst; the
 * fan's wait for a checkout link; the time until the ledger agrees with Stripe for every fan (every
 * event applied and every subscription confirmed by a re-read), from the first fan, as a ratio to
 * the bound Stripe's limit sets: every Stripe call of the launch (each new fan's checkout makes two,
 * a customer and a session, and they share the budget with the re-reads, ahead of them) at the
 * budget's rate, over the account and per endpoint, or the last payment if later; also the ratio to
 * fans ÷ the budget alone, as if the re-reads had it to themselves; Stripe re-reads per fan; 429s;
 * non-2xx answers to Stripe; peak and idle RSS (of this
 * process: bot and stand-ins); then events acknowledged per second with the limiter off, and the
 * same path at one fan per second (a normal day).
 */
import { createWriteStream } from "node:fs";
import http from "node:http";
import { parseArgs } from "node:util";
import type Stripe from "stripe";
import { budgetSettings, endpointOf } from "../src/adapters/stripe/budget.ts";
import { queuedStripeEvents } from "../src/app/billing/stripeEvents.ts";
import type { startCheckout } from "../src/app/members/checkout.ts";
import { addTierAccess, createTier } from "../src/app/tiers.ts";
import { useCases } from "../src/app/useCases.ts";
import type { Config } from "../src/config.ts";
import { createLogger } from "../src/log.ts";
import { guild, member, role, user } from "../test/standins/discord-payloads.ts";
import { makeEvent, subscription as subscriptionObject } from "../test/standins/stripe-objects.ts";
import { signedWebhook } from "../test/standins/stripe-webhooks.ts";
import { prng } from "../test/support/helpers.ts";
import { mark, record, roleGivenAt, round, startBenchWorld, summarize } from "./lib.ts";

const SECRET = "whsec_bench0000000000000";
const DISCORD_TOKEN = "discord-bench-token.abc.def";
const WAIT_MS = 600_000;
const WEBHOOK_TIMEOUT_MS = 10_000;
const WEBHOOK_RETRIES = 10;

export interface StripeLaunchOptions {
  fans: number;
  /** Seconds over which the fans arrive, evenly. */
  windowS: number;
  /** Live-mode key and limits (100/s account, 25/s per endpoint) instead of test mode. */
  live?: boolean;
  seed?: number;
  /** Share of the deliveries sent twice (default 0.25). */
  twice?: number;
}

export type Backend = "pglite" | "postgres";

/** A bot on `backend` against Stripe and Discord stand-ins; stop() removes everything. */
async function startLaunchWorld(
  backend: Backend,
  opts: { fans: number; key: string; stripeManners: boolean; configure?: (c: Config) => Config },
) {
  const owner = user({ id: "900000000000000001", username: "creator" });
  const tierRole = role({ id: "900000000000000002", name: "Gold", position: 1 });
  const fans = Array.from({ length: opts.fans }, (_, i) =>
    user({ id: String(920_000_000_000_000_000n + BigInt(i)) }),
  );
  const g = guild({
    id: "900000000000000000",
    ownerId: owner.id,
    roles: [tierRole],
    members: [member({ user: owner }), ...fans.map((u) => member({ user: u }))],
  });
  const world = await startBenchWorld({
    backend,
    stripe: {
      secretKey: opts.key,
      webhookSecret: SECRET,
      ...(opts.stripeManners ? { rateLimits: true, latency: { minMs: 150, maxMs: 400, seed: 14 } } : {}),
    },
    discord: { token: DISCORD_TOKEN, guilds: [g] },
    log: createLogger({
      level: "info",
      destination: createWriteStream(process.env.BENCH_LOG ?? "/dev/null"),
    }),
    ...(opts.configure ? { configure: opts.configure } : {}),
  });
  const { app, stripe, discord } = world;
  await app.discord!.ready();
  const tier = await createTier(app.services, { name: "Gold", amount: 500, currency: "eur" });
  await addTierAccess(app.services, tier.slug, { platform: "discord", guildId: g.id, roleId: tierRole.id });
  return {
    app,
    stripe,
    discord,
    fans,
    guildId: g.id,
    roleId: tierRole.id,
    tierSlug: tier.slug,
    webhookUrl: world.webhookUrl,
    stop: world.stop,
  };
}

/**
 * POSTs `body` to `url` over node:http with a keep-alive agent; resolves with the status (0: no
 * answer in time). Not global fetch: its web streams cost the process this benchmark shares with
 * the bot several times the bot's own work per delivery, and Stripe's deliveries cost it nothing.
 */
function post(url: URL, agent: http.Agent, headers: Record<string, string>, body: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.request(
      url,
      {
        method: "POST",
        agent,
        headers: { ...headers, "content-length": Buffer.byteLength(body) },
        timeout: WEBHOOK_TIMEOUT_MS,
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
        res.on("error", () => resolve(0));
      },
    );
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(0));
    req.end(body);
  });
}

/** POSTs `event` as Stripe does; records each answer's latency, retrying while not 2xx. */
function deliverer(webhookUrl: string, counts: { non2xx: number; timedOut: number; acks: number[] }) {
  const url = new URL(webhookUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  /** `signed`: the first delivery's body and headers, signed beforehand (Stripe signs on its side). */
  return async (event: Stripe.Event, signed?: ReturnType<typeof signedWebhook>): Promise<void> => {
    for (let attempt = 0; ; attempt++) {
      const { body, headers } = attempt === 0 && signed ? signed : signedWebhook(event, SECRET);
      const t = performance.now();
      const status = await post(url, agent, headers, body);
      counts.acks.push(performance.now() - t);
      if (status >= 200 && status < 300) return;
      if (status === 0) counts.timedOut++;
      else counts.non2xx++;
      if (attempt >= WEBHOOK_RETRIES) throw new Error(`webhook ${event.type} never answered 2xx`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  };
}

/** Samples this process's RSS every 100 ms. */
function rssSampler() {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 100);
  return {
    peakMb: () => round(peak / 2 ** 20),
    stop: () => clearInterval(timer),
  };
}

/** One launch: the fans pay within the window; returns the figures (and records them). */
export async function benchStripeLaunch(
  backend: Backend,
  opts: StripeLaunchOptions,
  label = "launch",
): Promise<Record<string, number>> {
  const mode = opts.live ? "live" : "test";
  const key = `sk_${mode}_bench0000000000`;
  const rng = prng(opts.seed ?? 14);
  const twice = opts.twice ?? 0.25;
  const w = await startLaunchWorld(backend, { fans: opts.fans, key, stripeManners: true });
  const { app, stripe, discord } = w;
  const counts = { non2xx: 0, timedOut: 0, acks: [] as number[] };
  const deliver = deliverer(w.webhookUrl, counts);
  let joinErrors = 0;
  const joins: number[] = [];
  const fanUseCases = useCases(app.services);
  const rss = rssSampler();
  try {
    const callsBefore = stripe.calls.length;
    mark(`${backend} ${label}`);
    const t0 = performance.now();
    const fan = async (i: number) => {
      await new Promise((r) => setTimeout(r, (i * opts.windowS * 1000) / opts.fans));
      const fanId = w.fans[i]!.id;
      let out: Awaited<ReturnType<typeof startCheckout>> | undefined;
      const asked = performance.now();
      for (let attempt = 0; !out; attempt++) {
        try {
          // As /join calls it: through the use cases the adapters call (one request, one place in line).
          out = await fanUseCases.startCheckout({
            who: { platform: "discord", userId: fanId },
            tier: w.tierSlug,
          });
        } catch (err) {
          joinErrors++;
          if (attempt >= 4) throw err;
          await new Promise((r) => setTimeout(r, 1000));
        }
      }
      if (out.kind !== "checkout") throw new Error(`fan ${fanId}: ${out.kind}`);
      joins.push(performance.now() - asked);
      const done = stripe.completeCheckout(out.sessionId);
      const customerId = done.customer.id;
      const created = stripe.events.filter(
        (e) => e.type === "customer.created" && (e.data.object as { id: string }).id === customerId,
      );
      // The stand-in's events say test mode; a live key's bot ignores those (another mode), so the
      // live run marks them live, as live Stripe would send them.
      const events = rng
        .shuffle([...created, ...done.events])
        .map((e) => (opts.live ? ({ ...e, livemode: true } as Stripe.Event) : e));
      const copies = events.filter(() => rng.chance(twice));
      const role = roleGivenAt(discord, fanId, w.roleId, WAIT_MS);
      const paid = performance.now();
      await Promise.all([
        ...events.map((e) => deliver(e)),
        ...copies.map(async (e) => {
          await new Promise((r) => setTimeout(r, rng.int(0, 500)));
          await deliver(e);
        }),
      ]);
      const given = await role;
      return { access: given - paid, paid, events: events.length + copies.length };
    };
    const results = await Promise.all(w.fans.map((_, i) => fan(i)));
    const lastPaid = Math.max(...results.map((r) => r.paid));
    const lastRoleAt = performance.now();
    // The ledger agrees with Stripe: nothing queued, every subscription confirmed by a re-read.
    const db = app.db.prisma;
    for (;;) {
      const queued = await queuedStripeEvents(db);
      const unconfirmed = await db.subscription.count({ where: { currentPeriodEnd: null } });
      if (queued === 0 && unconfirmed === 0) break;
      if (performance.now() - t0 > WAIT_MS) throw new Error(`ledger never agreed (${queued} queued)`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const agreedAt = performance.now();
    mark(`${backend} ${label} checks`);
    const missing = w.fans.filter((u) => !discord.member(w.guildId, u.id)?.roles.includes(w.roleId));
    if (missing.length) throw new Error(`launch bench ended wrong: ${missing.length} roles missing`);
    const subs = await db.subscription.count({ where: { status: "active" } });
    if (subs !== opts.fans) throw new Error(`launch bench ended wrong: ${subs} active subscriptions`);

    await new Promise((r) => setTimeout(r, 2_000));
    (globalThis as { gc?: () => void }).gc?.();
    const idleRss = round(process.memoryUsage().rss / 2 ** 20);
    rss.stop();

    // The bound set by Stripe's limit: the fans' checkout calls (a customer, a session) and the
    // re-reads all pass through the one budget, fans first. However they are ordered, the last re-read
    // cannot end before the budget has passed every call made since the first fan asked (over the
    // account and over each endpoint), nor before the last fan paid.
    const budget = budgetSettings(key);
    const calls = stripe.calls.slice(callsBefore);
    const perEndpoint = new Map<string, number>();
    for (const c of calls) {
      const e = endpointOf(c.method, c.path);
      perEndpoint.set(e, (perEndpoint.get(e) ?? 0) + 1);
    }
    const budgetS = Math.max(
      calls.length / budget.requestsPerSecond,
      ...[...perEndpoint.values()].map((n) => n / budget.endpointRequestsPerSecond),
    );
    const bound = Math.max(budgetS, (lastPaid - t0) / 1000);
    /** The first bound: fans ÷ the budget, as if the re-reads had the budget to themselves. */
    const readsOnlyBound = opts.fans / budget.requestsPerSecond;
    const allowed = budget.requestsPerSecond;
    const reads = stripe.calls
      .slice(callsBefore)
      .filter((c) => c.method === "GET" && c.path === "/v1/subscriptions" && c.status === 200).length;
    const ack = summarize(counts.acks);
    const access = summarize(results.map((r) => r.access));
    const agreeS = (agreedAt - t0) / 1000;
    const join = summarize(joins);
    const bench = `stripe ${label} (${mode} mode, ${opts.fans} fans in ${opts.windowS} s)`;
    const out: Record<string, number> = {
      deliveries: results.reduce((n, r) => n + r.events, 0),
      ackMedian: round(ack.median),
      ackP99: round(ack.p99),
      accessMedian: round(access.median),
      accessP99: round(access.p99),
      lastRoleS: round((lastRoleAt - t0) / 1000),
      joinMedian: round(join.median),
      joinP99: round(join.p99),
      ledgerAgreesS: round(agreeS),
      ledgerBoundS: round(bound),
      ledgerRatio: round(agreeS / bound, 2),
      ledgerReadsOnlyRatio: round(agreeS / readsOnlyBound, 2),
      rereadsPerFan: round(reads / opts.fans, 2),
      stripeCallsPerFan: round((stripe.calls.length - callsBefore) / opts.fans, 2),
      stripe429: stripe.rateLimitedCount,
      non2xxToStripe: counts.non2xx,
      webhookTimeouts: counts.timedOut,
      joinErrors,
      peakRssMb: rss.peakMb(),
      idleRssMb: idleRss,
    };
    const figure = (metric: string, value: number, unit: string, target: string) =>
      record({ bench, backend, metric: `${metric} (target ${target})`, value, unit });
    figure("webhook ack median", out.ackMedian!, "ms", "—");
    figure("webhook ack p99", out.ackP99!, "ms", "< 100 ms");
    figure("payment → role median", out.accessMedian!, "ms", "—");
    figure("payment → role p99", out.accessP99!, "ms", "≤ 1000 ms");
    figure("fan's /join → checkout link median", out.joinMedian!, "ms", "—");
    figure("fan's /join → checkout link p99", out.joinP99!, "ms", "—");
    figure(
      `ledger agrees with Stripe, from the first fan (bound ${round(bound)} s: ${calls.length} Stripe calls at ${allowed}/s, ${budget.endpointRequestsPerSecond}/s per endpoint, or the last payment)`,
      out.ledgerRatio!,
      "× bound",
      "≤ 1.1×",
    );
    figure(
      `the same against fans ÷ ${allowed}/s (${round(readsOnlyBound)} s), as if the checkouts' calls took none of the budget`,
      out.ledgerReadsOnlyRatio!,
      "× that",
      "—",
    );
    figure("Stripe re-reads per fan", out.rereadsPerFan!, "reads", "~1");
    figure("Stripe requests per fan (checkout included)", out.stripeCallsPerFan!, "requests", "—");
    figure("429s from Stripe", out.stripe429!, "answers", "0");
    figure("non-2xx answered to Stripe", out.non2xxToStripe!, "answers", "0");
    figure("peak RSS (bot + stand-ins)", out.peakRssMb!, "MB", "—");
    figure("idle RSS after the launch", out.idleRssMb!, "MB", "—");
    return out;
  } finally {
    rss.stop();
    await w.stop();
  }
}

/**
 * Events acknowledged per second with the Stripe limiter off (no latency, no limits): `events`
 * signed subscription updates for distinct customers, POSTed 64 at a time.
 */
export async function benchAckThroughput(backend: Backend, events: number): Promise<number> {
  const key = "sk_test_bench0000000000";
  const w = await startLaunchWorld(backend, {
    fans: 1,
    key,
    stripeManners: false,
    configure: (c) => ({ ...c, stripe: { ...c.stripe, requestsPerSecond: 100_000 } }),
  });
  try {
    const batch = Array.from({ length: events }, (_, i) =>
      makeEvent(
        "customer.subscription.updated",
        subscriptionObject({ id: `sub_TGack${i}`, customer: `cus_TGack${i}` }),
      ),
    );
    const counts = { non2xx: 0, timedOut: 0, acks: [] as number[] };
    const deliver = deliverer(w.webhookUrl, counts);
    const signed = batch.map((e) => signedWebhook(e, SECRET));
    let next = 0;
    mark(`${backend} acks`);
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        while (next < batch.length) {
          const i = next++;
          await deliver(batch[i]!, signed[i]);
        }
      }),
    );
    const perSecond = round(events / ((performance.now() - t0) / 1000));
    mark(`${backend} acks done`);
    record({
      bench: `stripe webhook acknowledgments, limiter off (${events} events, 64 at a time)`,
      backend,
      metric: `events acknowledged per second (target ≥ 1000/s on postgres; p99 ack ${round(summarize(counts.acks).p99)} ms)`,
      value: perSecond,
      unit: "events/s",
    });
    return perSecond;
  } finally {
    await w.stop();
  }
}

export interface LaunchSuiteOptions {
  /** Fans of the launch (0: skip it). */
  fans: number;
  windowS: number;
  backends: readonly Backend[];
  modes: readonly ("test" | "live")[];
  /** Fans for the normal-day run at one per second (0: skip). */
  normalFans: number;
  /** Events for the acknowledgment throughput run (0: skip). */
  ackEvents: number;
  seed?: number;
}

/** `npm run bench -- launch`: the launch in each mode and backend, the acks with the limiter off, a normal day. */
export async function benchLaunchSuite(o: LaunchSuiteOptions): Promise<void> {
  for (const backend of o.backends) {
    for (const mode of o.fans > 0 ? o.modes : []) {
      console.log(`Stripe launch on ${backend}, ${mode} mode: ${o.fans} fans pay within ${o.windowS} s…`);
      console.log(
        await benchStripeLaunch(backend, {
          fans: o.fans,
          windowS: o.windowS,
          live: mode === "live",
          ...(o.seed ? { seed: o.seed } : {}),
        }),
      );
    }
    if (o.ackEvents > 0) {
      console.log(`webhook acknowledgments on ${backend}, limiter off: ${o.ackEvents} events…`);
      console.log(`  ${await benchAckThroughput(backend, o.ackEvents)} events/s`);
    }
    if (o.normalFans > 0) {
      console.log(`a normal day on ${backend}: ${o.normalFans} fans at one per second…`);
      console.log(
        await benchStripeLaunch(
          backend,
          { fans: o.normalFans, windowS: o.normalFans, twice: 0.25 },
          "normal day",
        ),
      );
    }
  }
}

export function parseLaunchArgs(args: readonly string[]): LaunchSuiteOptions {
  const { values } = parseArgs({
    args: [...args],
    options: {
      fans: { type: "string", default: "1000" },
      "window-s": { type: "string", default: "60" },
      backend: { type: "string", default: "both" },
      mode: { type: "string", default: "both" },
      "normal-fans": { type: "string", default: "20" },
      "ack-events": { type: "string", default: "3000" },
      seed: { type: "string", default: "14" },
    },
  });
  const backends =
    values.backend === "both" ? (["postgres", "pglite"] as const) : [values.backend as Backend];
  for (const b of backends) if (b !== "pglite" && b !== "postgres") throw new Error(`unknown backend ${b}`);
  const modes = values.mode === "both" ? (["test", "live"] as const) : [values.mode as "test" | "live"];
  for (const m of modes) if (m !== "test" && m !== "live") throw new Error(`unknown mode ${m}`);
  return {
    fans: Number(values.fans),
    windowS: Number(values["window-s"]),
    backends,
    modes,
    normalFans: Number(values["normal-fans"]),
    ackEvents: Number(values["ack-events"]),
    seed: Number(values.seed),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { printAndSave, stopBenchServer } = await import("./lib.ts");
  try {
    await benchLaunchSuite(parseLaunchArgs(process.argv.slice(2)));
  } finally {
    await stopBenchServer();
  }
  printAndSave(`npx tsx bench/stripe-launch.ts ${process.argv.slice(2).join(" ")}`.trim());
}
