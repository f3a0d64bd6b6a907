/**
 * Launch day against Stripe's real manners: `fans` Discord fans ask for a checkout, spread evenly over
 * `windowS` seconds, and pay at once; the Stripe stand-in answers after 150–400 ms (seeded) and keeps
 * Stripe's test-mode limits (25 requests/s for the account, 25/s per endpoint, 429 past them).
 *
 *   npx tsx bench/stripe-launch.ts [--fans 300] [--window-s 60] [--backend pglite|postgres|both] [--live]
 *
 * Each fan: /join's use case (`startCheckout`: a customer, then a checkout session: interactive in
 * the Stripe budget), then the checkout completes on the stand-in and the events Stripe would send
 * for it (customer.subscription.created, invoice.paid, checkout.session.completed) are POSTed to the
 * bot concurrently, signed; each re-reads the customer's subscriptions inside the request (background
 * in the budget), as the webhook handler does today. A delivery that is not answered 2xx within 10 s
 * is sent again 1 s later (Stripe would retry after minutes to hours), up to 5 times; access is the
 * Discord role PUT on the stand-in; a /join that fails is asked again 1 s later (counted). This is the
 * checkout + in-request re-read path as it stands: the
 * durable webhook queue with one re-read per customer burst (issue #14, part 3) is not in it.
 *
 * Prints: time from the first fan's /join to the last fan's role; link and payment → access
 * latencies; 429s Stripe gave (and how many the budget retried, how many reached a caller); the
 * longest wait in the budget for interactive and background calls; webhook deliveries that timed out
 * or failed; the most requests Stripe saw in one second; Stripe requests per fan.
 */
import { createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import type Stripe from "stripe";
import { startCheckout } from "../src/app/members/checkout.ts";
import { addTierAccess, createTier } from "../src/app/tiers.ts";
import { startTribegate } from "../src/bootstrap.ts";
import { createLogger } from "../src/log.ts";
import { MEMBER_ROLE_ROUTE, startDiscordStandin } from "../test/standins/discord.ts";
import { guild, member, role, user } from "../test/standins/discord-payloads.ts";
import { startStripeStandin } from "../test/standins/stripe.ts";
import { signedWebhook } from "../test/standins/stripe-webhooks.ts";
import { benchConfig, benchDatabase, mark, record, round, summarize } from "./lib.ts";

const SECRET = "whsec_bench0000000000000";
const DISCORD_TOKEN = "discord-bench-token.abc.def";
const WAIT_MS = 300_000;
const WEBHOOK_TIMEOUT_MS = 10_000;
const WEBHOOK_RETRIES = 5;

export interface StripeLaunchOptions {
  fans: number;
  /** Seconds over which the fans arrive, evenly. */
  windowS: number;
  /** Live-mode key and limits (100/s account, 25/s per endpoint) instead of test mode. */
  live?: boolean;
}

interface FanResult {
  /** /join → checkout link (ms). */
  link: number;
  /** Payment (events sent) → role PUT (ms). */
  access: number;
  /** When the role was given, from the first fan's /join (ms). */
  doneAt: number;
}

export async function benchStripeLaunch(
  backend: "pglite" | "postgres",
  opts: StripeLaunchOptions,
): Promise<Record<string, number>> {
  console.log(
    `  (alone: npx tsx bench/stripe-launch.ts --backend ${backend} --fans ${opts.fans} --window-s ${opts.windowS}${opts.live ? " --live" : ""})`,
  );
  const mode = opts.live ? "live" : "test";
  const key = `sk_${mode}_bench0000000000`;
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
  const [stripe, discord] = await Promise.all([
    startStripeStandin({ secretKey: key, rateLimits: true, latency: { minMs: 150, maxMs: 400, seed: 14 } }),
    startDiscordStandin({ token: DISCORD_TOKEN, guilds: [g] }),
  ]);
  const pgdb = backend === "postgres" ? await benchDatabase() : undefined;
  const dataDir = mkdtempSync(path.join(tmpdir(), "tg-launch-"));
  const config = benchConfig({
    stripe: { origin: stripe.origin, secretKey: key, webhookSecret: SECRET },
    dataDir,
    databaseUrl: pgdb?.url,
    discord: {
      token: DISCORD_TOKEN,
      applicationId: discord.applicationId,
      apiUrl: discord.apiUrl,
      guildIds: [g.id],
    },
  });
  const log = createLogger({ level: "info", destination: createWriteStream("/dev/null") });
  const app = await startTribegate({ config, log, reconcileOnStart: false, doctorOnStart: false });
  const webhookUrl = `${app.http.url}/stripe/webhook`;
  let timedOut = 0;
  let failed = 0;
  let resent = 0;
  let joinErrors = 0;
  let lastJoinError = "";

  /** POSTs `event` as Stripe does, sending it again while it is not answered 2xx. */
  const deliver = async (event: Stripe.Event): Promise<void> => {
    for (let attempt = 0; ; attempt++) {
      const { body, headers } = signedWebhook(event, SECRET);
      const status = await fetch(webhookUrl, {
        method: "POST",
        headers,
        body,
        signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
      }).then(
        async (res) => {
          await res.arrayBuffer();
          return res.status;
        },
        () => 0,
      );
      if (status >= 200 && status < 300) return;
      if (status === 0) timedOut++;
      else failed++;
      if (attempt >= WEBHOOK_RETRIES) throw new Error(`webhook ${event.type} never answered 2xx`);
      resent++;
      await new Promise((r) => setTimeout(r, 1000));
    }
  };

  try {
    await app.discord!.ready();
    const tier = await createTier(app.services, { name: "Gold", amount: 500, currency: "eur" });
    await addTierAccess(app.services, tier.slug, { platform: "discord", guildId: g.id, roleId: tierRole.id });
    const callsBefore = stripe.calls.length;
    const budgetBefore = app.stripeBudget.stats();
    mark(`${backend} launch`);
    const t0 = performance.now();
    const fan = async (i: number): Promise<FanResult> => {
      await new Promise((r) => setTimeout(r, (i * opts.windowS * 1000) / opts.fans));
      const fanId = fans[i]!.id;
      const asked = performance.now();
      // A fan whose /join fails (the bot answers with an error) asks again a second later.
      let out: Awaited<ReturnType<typeof startCheckout>> | undefined;
      for (let attempt = 0; !out; attempt++) {
        try {
          out = await startCheckout(app.services, {
            who: { platform: "discord", userId: fanId },
            tier: tier.slug,
          });
        } catch (err) {
          joinErrors++;
          lastJoinError = err instanceof Error ? err.message.split("\n")[0]!.slice(0, 160) : String(err);
          if (attempt >= 4) throw err;
          await new Promise((r) => setTimeout(r, 1000));
        }
      }
      if (out.kind !== "checkout") throw new Error(`fan ${fanId}: ${out.kind}`);
      const linked = performance.now();
      const done = stripe.completeCheckout(out.sessionId);
      const role = discord
        .waitForCall(
          (c) =>
            c.method === "PUT" &&
            c.route === MEMBER_ROLE_ROUTE &&
            c.params.user === fanId &&
            c.params.role === tierRole.id &&
            c.status === 204,
          WAIT_MS,
        )
        .then(() => performance.now());
      const paid = performance.now();
      await Promise.all(done.events.map(deliver));
      const given = await role;
      return { link: linked - asked, access: given - paid, doneAt: given - t0 };
    };
    const results = await Promise.all(fans.map((_, i) => fan(i)));
    mark(`${backend} checks`);
    const budget = app.stripeBudget.stats();
    const missing = fans.filter((u) => !discord.member(g.id, u.id)?.roles.includes(tierRole.id));
    if (missing.length) throw new Error(`launch bench ended wrong: ${missing.length} roles missing`);

    const bench = `stripe launch (${mode} mode)`;
    const figure = (metric: string, value: number, unit = "ms") =>
      record({ bench, backend, metric, value, unit });
    const link = summarize(results.map((r) => r.link));
    const access = summarize(results.map((r) => r.access));
    const out: Record<string, number> = {
      lastAccessMs: round(Math.max(...results.map((r) => r.doneAt))),
      linkMedian: round(link.median),
      linkP99: round(link.p99),
      accessMedian: round(access.median),
      accessP99: round(access.p99),
      stripe429: stripe.rateLimitedCount,
      retried429: budget.retried - budgetBefore.retried,
      gaveUp429: budget.gaveUp - budgetBefore.gaveUp,
      maxWaitInteractive: round(budget.maxWaitMs.interactive),
      maxWaitBackground: round(budget.maxWaitMs.background),
      webhookTimeouts: timedOut,
      webhookFailures: failed,
      webhookResent: resent,
      joinErrors,
      peakStripePerSecond: stripe.peakRequestsPerSecond,
      stripeCallsPerFan: round((stripe.calls.length - callsBefore) / opts.fans, 2),
    };
    figure(`${opts.fans} fans over ${opts.windowS} s: first /join → last fan's role`, out.lastAccessMs!);
    figure("/join → checkout link median", out.linkMedian!);
    figure("/join → checkout link p99", out.linkP99!);
    figure("payment → role median", out.accessMedian!);
    figure("payment → role p99", out.accessP99!);
    figure("429s from Stripe", out.stripe429!, "answers");
    figure("429s retried by the budget", out.retried429!, "requests");
    figure("429s that reached a caller", out.gaveUp429!, "requests");
    figure("longest budget wait, interactive", out.maxWaitInteractive!);
    figure("longest budget wait, background", out.maxWaitBackground!);
    figure("webhook deliveries timed out (10 s)", out.webhookTimeouts!, "deliveries");
    figure("webhook deliveries answered non-2xx", out.webhookFailures!, "deliveries");
    figure("/join answered with an error (the fan asks again)", joinErrors, "answers");
    if (lastJoinError) console.log(`  last /join error: ${lastJoinError}`);
    figure("most requests Stripe saw in one second", out.peakStripePerSecond!, "requests");
    figure("Stripe requests per fan", out.stripeCallsPerFan!, "requests");
    return out;
  } finally {
    await app.stop();
    await Promise.allSettled([stripe.close(), discord.close()]);
    await pgdb?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { printAndSave, stopBenchServer } = await import("./lib.ts");
  const { values } = parseArgs({
    options: {
      fans: { type: "string", default: "300" },
      "window-s": { type: "string", default: "60" },
      backend: { type: "string", default: "both" },
      live: { type: "boolean", default: false },
    },
  });
  const backends = values.backend === "both" ? (["pglite", "postgres"] as const) : [values.backend];
  try {
    for (const backend of backends) {
      if (backend !== "pglite" && backend !== "postgres") throw new Error(`unknown backend ${backend}`);
      console.log(`Stripe launch on ${backend}…`);
      console.log(
        await benchStripeLaunch(backend, {
          fans: Number(values.fans),
          windowS: Number(values["window-s"]),
          live: values.live,
        }),
      );
    }
  } finally {
    await stopBenchServer();
  }
  printAndSave(`npx tsx bench/stripe-launch.ts ${process.argv.slice(2).join(" ")}`.trim());
}
