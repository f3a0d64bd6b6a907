/**
 * Payment → access: the time from Stripe's `checkout.session.completed` webhook (signed as Stripe
 * signs it, POSTed to the bot's HTTP route) to the access it opens:
 *
 * - Discord: the role `PUT /guilds/:g/members/:u/roles/:r` received by the Discord stand-in;
 * - Telegram: the personal join-request link sent to the fan (`sendMessage` received by the
 *   Telegram stand-in), then, the fan opening it at once, the bot's `approveChatJoinRequest`.
 *
 *   npx tsx bench/payment-access.ts [--fans 200] [--concurrency 16] [--backend pglite|postgres|both]
 *
 * The bot runs for real in this process (bootstrap, HTTP, access worker, discord.js, grammY long
 * polling) against the stand-ins, on PGlite or PostgreSQL. Each fan's checkout is opened beforehand
 * through the same use case as /join (untimed); the timed part is the webhook alone. Only the
 * `checkout.session.completed` event of each checkout is delivered: it re-reads the customer's
 * subscriptions and grants by itself (the other events of a checkout change nothing after it; their
 * ingest is what `npm run bench -- ingest` measures). Sequential: one fan after the other, each
 * measured alone. Concurrent: the same number of fans again, `concurrency` of them at a time.
 * Discord's rate limits are off here (as in the end-to-end tests): a role bucket of 10 changes per
 * 10 s per server would measure the limiter, which `npm run bench -- discord` does.
 * Fans, servers and chats have deterministic ids; nothing depends on a random choice.
 */
import { createWriteStream } from "node:fs";
import { parseArgs } from "node:util";
import type { User } from "@grammyjs/types";
import type Stripe from "stripe";
import { startCheckout } from "../src/app/members/checkout.ts";
import { addTierAccess, createTier } from "../src/app/tiers.ts";
import type { Tribegate } from "../src/bootstrap.ts";
import type { Platform } from "../src/core/access.ts";
import { createLogger } from "../src/log.ts";
import type { DiscordStandin } from "../test/standins/discord.ts";
import { guild, member, role, user } from "../test/standins/discord-payloads.ts";
import type { StripeStandin } from "../test/standins/stripe.ts";
import { signedWebhook } from "../test/standins/stripe-webhooks.ts";
import type { TelegramStandin } from "../test/standins/telegram.ts";
import {
  BOT_ADMIN_RIGHTS,
  chatMember,
  supergroup,
  user as telegramUser,
} from "../test/standins/telegram-payloads.ts";
import { sleep } from "../test/support/helpers.ts";
import { mark, record, roleGivenAt, round, startBenchWorld, summarize } from "./lib.ts";

const KEY = "sk_test_bench0000000000";
const SECRET = "whsec_bench0000000000000";
const DISCORD_TOKEN = "discord-bench-token.abc.def";
const TELEGRAM_TOKEN = "123456789:AAbenchbenchbenchbenchbench";
const WAIT_MS = 60_000;

export interface PaymentAccessOptions {
  /** Fans per platform and per variant (sequential, then concurrent). */
  fans: number;
  /** Webhooks in flight in the concurrent variant. */
  concurrency: number;
}

interface Sample {
  /** POST → the bot's 2xx (the event and its access jobs committed). */
  answered: number;
  /** POST → role PUT (Discord) or invite link sent (Telegram). */
  access: number;
  /** Telegram only: POST → approveChatJoinRequest, the fan having opened the link at once. */
  approved?: number;
}

interface Fixture {
  app: Tribegate;
  stripe: StripeStandin;
  discord: DiscordStandin;
  telegram: TelegramStandin;
  webhookUrl: string;
  guildId: string;
  roleId: string;
  chatId: number;
  tierSlug: string;
}

/** Delivers `event` as Stripe does; resolves with the time the bot took to answer 2xx. */
async function post(url: string, event: Stripe.Event): Promise<{ t0: number; answeredAt: number }> {
  const { body, headers } = signedWebhook(event, SECRET);
  const t0 = performance.now();
  const res = await fetch(url, { method: "POST", headers, body });
  await res.arrayBuffer();
  const answeredAt = performance.now();
  if (res.status !== 200) throw new Error(`webhook ${event.type} answered ${res.status}`);
  return { t0, answeredAt };
}

const completedEvent = (f: Fixture, sessionId: string): Stripe.Event => {
  const done = f.stripe.completeCheckout(sessionId);
  const event = done.events.find((e) => e.type === "checkout.session.completed");
  if (!event) throw new Error(`no checkout.session.completed for ${sessionId}`);
  return event;
};

/** One Discord fan: webhook → role PUT on the stand-in. */
async function discordFan(f: Fixture, fanId: string, sessionId: string): Promise<Sample> {
  const event = completedEvent(f, sessionId);
  // Registered before the POST; the time is taken when the stand-in has answered the PUT.
  const put = roleGivenAt(f.discord, fanId, f.roleId, WAIT_MS);
  const { t0, answeredAt } = await post(f.webhookUrl, event);
  return { answered: answeredAt - t0, access: (await put) - t0 };
}

const INVITE = /https:\/\/t\.me\/\+[A-Za-z0-9_-]+/;

/** One Telegram fan: webhook → invite link sent → the fan asks to join at once → approved. */
async function telegramFan(f: Fixture, fan: User, sessionId: string): Promise<Sample> {
  const event = completedEvent(f, sessionId);
  let invitedAt = 0;
  const approved = f.telegram
    .waitForCall(
      (c) =>
        c.method === "sendMessage" &&
        c.status === 200 &&
        String(c.params.chat_id) === String(fan.id) &&
        INVITE.test(JSON.stringify(c.params)),
      WAIT_MS,
    )
    .then((call) => {
      invitedAt = performance.now();
      const link = INVITE.exec(JSON.stringify(call.params))![0];
      const opened = f.telegram.userJoinsViaLink(fan, link);
      if (opened.outcome !== "requested") throw new Error(`fan ${fan.id}: link ${link} ${opened.outcome}`);
      return f.telegram.waitForCall(
        (c) =>
          c.method === "approveChatJoinRequest" &&
          c.status === 200 &&
          String(c.params.user_id) === String(fan.id) &&
          String(c.params.chat_id) === String(f.chatId),
        WAIT_MS,
      );
    })
    .then(() => performance.now());
  const { t0, answeredAt } = await post(f.webhookUrl, event);
  const approvedAt = await approved;
  return { answered: answeredAt - t0, access: invitedAt - t0, approved: approvedAt - t0 };
}

/** Runs `fans` through `run`, `concurrency` at a time; the samples and the wall time. */
async function drive<F>(
  fans: readonly F[],
  concurrency: number,
  run: (fan: F) => Promise<Sample>,
): Promise<{ samples: Sample[]; wallMs: number }> {
  const samples: Sample[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, fans.length) }, async () => {
      while (next < fans.length) samples.push(await run(fans[next++]!));
    }),
  );
  return { samples, wallMs: performance.now() - t0 };
}

async function openCheckouts(app: Tribegate, platform: Platform, ids: readonly string[], tier: string) {
  const sessions: string[] = [];
  for (const userId of ids) {
    const out = await startCheckout(app.services, { who: { platform, userId }, tier });
    if (out.kind !== "checkout") throw new Error(`fan ${platform}:${userId}: ${out.kind}`);
    sessions.push(out.sessionId);
  }
  return sessions;
}

function report(
  backend: string,
  platform: "discord" | "telegram",
  variant: string,
  run: { samples: Sample[]; wallMs: number },
): Record<string, number> {
  const bench = `payment → access (${platform})`;
  const figure = (metric: string, value: number, unit = "ms") =>
    record({ bench, backend, metric: `${variant}: ${metric}`, value, unit });
  const answered = summarize(run.samples.map((s) => s.answered));
  const access = summarize(run.samples.map((s) => s.access));
  const what = platform === "discord" ? "webhook → role PUT" : "webhook → invite sent";
  figure(`${what} median`, round(access.median));
  figure(`${what} p99`, round(access.p99));
  const out: Record<string, number> = {
    accessMedian: round(access.median),
    accessP99: round(access.p99),
    answeredMedian: round(answered.median),
  };
  if (platform === "telegram") {
    const approved = summarize(run.samples.map((s) => s.approved ?? Number.NaN));
    figure("webhook → join approved median", round(approved.median));
    figure("webhook → join approved p99", round(approved.p99));
    out.approvedMedian = round(approved.median);
    out.approvedP99 = round(approved.p99);
  }
  figure("webhook answered (2xx) median", round(answered.median));
  figure("fans per second", round((run.samples.length / run.wallMs) * 1000), "fans/s");
  return out;
}

export async function benchPaymentAccess(
  backend: "pglite" | "postgres",
  opts: PaymentAccessOptions,
): Promise<Record<string, Record<string, number>>> {
  console.log(
    `  (alone: npx tsx bench/payment-access.ts --backend ${backend} --fans ${opts.fans} --concurrency ${opts.concurrency})`,
  );
  const owner = user({ id: "900000000000000001", username: "creator" });
  const tierRole = role({ id: "900000000000000002", name: "Gold", position: 1 });
  // Sequential fans first, then concurrent ones; ids fixed so every run is the same workload.
  const discordFans = Array.from({ length: 2 * opts.fans }, (_, i) =>
    user({ id: String(910_000_000_000_000_000n + BigInt(i)) }),
  );
  const telegramFans = Array.from({ length: 2 * opts.fans }, (_, i) =>
    telegramUser({ id: 500_000_000 + i, first_name: `Fan ${i}` }),
  );
  const g = guild({
    id: "900000000000000000",
    ownerId: owner.id,
    roles: [tierRole],
    members: [member({ user: owner }), ...discordFans.map((u) => member({ user: u }))],
  });
  const chat = supergroup({ id: -1_009_000_000_001, title: "Gold Lounge" });
  const creator = telegramUser({ id: 7_000_001, first_name: "Creator" });

  const world = await startBenchWorld({
    backend,
    stripe: { secretKey: KEY, webhookSecret: SECRET },
    discord: { token: DISCORD_TOKEN, guilds: [g] },
    telegram: { token: TELEGRAM_TOKEN },
    // Production's level (info), written nowhere: the cost of logging is part of the figure.
    log: createLogger({ level: "info", destination: createWriteStream("/dev/null") }),
  });
  const { app, stripe, discord, telegram } = world;
  telegram.addChat(chat, { members: [chatMember.creator(creator)], botStatus: BOT_ADMIN_RIGHTS });
  // The fans started the bot (/start) before paying: it may write to them.
  for (const fan of telegramFans) telegram.addUser(fan, { talkedToBot: true });
  try {
    await app.discord!.ready();
    for (const t0 = Date.now(); app.telegram!.status() !== "ready"; ) {
      if (Date.now() - t0 > WAIT_MS) throw new Error("the Telegram bot did not start polling");
      await sleep(10);
    }
    const tier = await createTier(app.services, { name: "Gold", amount: 500, currency: "eur" });
    await addTierAccess(app.services, tier.slug, {
      platform: "discord",
      guildId: g.id,
      roleId: tierRole.id,
    });
    await addTierAccess(
      app.services,
      tier.slug,
      { platform: "telegram", chatId: String(chat.id) },
      chat.title,
    );
    const f: Fixture = {
      app,
      stripe,
      discord,
      telegram,
      webhookUrl: `${app.http.url}/stripe/webhook`,
      guildId: g.id,
      roleId: tierRole.id,
      chatId: chat.id,
      tierSlug: tier.slug,
    };
    const dSessions = await openCheckouts(
      app,
      "discord",
      discordFans.map((u) => u.id),
      tier.slug,
    );
    const tSessions = await openCheckouts(
      app,
      "telegram",
      telegramFans.map((u) => String(u.id)),
      tier.slug,
    );
    const dIdx = discordFans.map((_, i) => i);
    const tIdx = telegramFans.map((_, i) => i);
    const results: Record<string, Record<string, number>> = {};
    const variants = [
      { name: "sequential", concurrency: 1, from: 0 },
      { name: `${opts.concurrency} at a time`, concurrency: opts.concurrency, from: opts.fans },
    ];
    for (const v of variants) {
      const part = (xs: number[]) => xs.slice(v.from, v.from + opts.fans);
      mark(`${backend} discord ${v.name}`);
      const callsBefore = discord.calls.length;
      const d = await drive(part(dIdx), v.concurrency, (i) =>
        discordFan(f, discordFans[i]!.id, dSessions[i]!),
      );
      results[`discord ${v.name}`] = report(backend, "discord", v.name, d);
      // discord.js keeps to Discord's global 50 requests/s: requests per fan bound the fans per second.
      const perFan = (discord.calls.length - callsBefore) / opts.fans;
      record({
        bench: "payment → access (discord)",
        backend,
        metric: `${v.name}: Discord REST requests per fan`,
        value: round(perFan, 2),
        unit: "requests",
      });
      mark(`${backend} telegram ${v.name}`);
      const t = await drive(part(tIdx), v.concurrency, (i) =>
        telegramFan(f, telegramFans[i]!, tSessions[i]!),
      );
      results[`telegram ${v.name}`] = report(backend, "telegram", v.name, t);
    }
    mark(`${backend} checks`);
    // Everyone paid is in: every role given, every join request approved, no job left behind.
    const missingRoles = discordFans.filter((u) => !discord.member(g.id, u.id)?.roles.includes(tierRole.id));
    const outside = telegramFans.filter((u) => telegram.member(chat.id, u.id)?.status !== "member");
    const open = await app.db.prisma.accessJob.count({ where: { state: { not: "done" } } });
    if (missingRoles.length || outside.length || open)
      throw new Error(
        `payment bench ended wrong: ${missingRoles.length} roles missing, ${outside.length} fans outside, ${open} jobs not done`,
      );
    return results;
  } finally {
    await world.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { printAndSave, stopBenchServer } = await import("./lib.ts");
  const { values } = parseArgs({
    options: {
      fans: { type: "string", default: "200" },
      concurrency: { type: "string", default: "16" },
      backend: { type: "string", default: "both" },
    },
  });
  const backends = values.backend === "both" ? (["pglite", "postgres"] as const) : [values.backend];
  try {
    for (const backend of backends) {
      if (backend !== "pglite" && backend !== "postgres") throw new Error(`unknown backend ${backend}`);
      console.log(`payment → access on ${backend}…`);
      await benchPaymentAccess(backend, {
        fans: Number(values.fans),
        concurrency: Number(values.concurrency),
      });
    }
  } finally {
    await stopBenchServer();
  }
  printAndSave(`npx tsx bench/payment-access.ts ${process.argv.slice(2).join(" ")}`.trim());
}
