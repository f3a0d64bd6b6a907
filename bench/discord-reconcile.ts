/**
 * Reconciliation of a 10,000-member Discord server against the stand-in's documented rate limits
 * (global 50 requests/s; member-role changes 10 per 10 s per server), compared with the theoretical
 * bound those limits allow.
 *
 *   npx tsx bench/discord-reconcile.ts [--members 10000] [--lost 30] [--lapsed 10]
 *
 * The bot runs for real (bootstrap, discord.js, PGlite). The ledger is seeded directly: every fan
 * owes the tier role and was granted it; on Discord, `lost` fans had the role removed by hand and
 * `lapsed` fans still hold it though their subscription ended. Reconciliation reads the member list
 * through REST pages, then the access worker repairs the drift through discord.js's queue.
 */
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { parseArgs } from "node:util";
import { createDiscordReader } from "../src/adapters/discord/reader.ts";
import { reconcile } from "../src/app/reconcile.ts";
import { addTierAccess, createTier } from "../src/app/tiers.ts";
import { startTribegate } from "../src/bootstrap.ts";
import { loadConfig } from "../src/config.ts";
import { createLogger } from "../src/log.ts";
import { DEFAULT_BUCKETS, MEMBER_ROLE_ROUTE, startDiscordStandin } from "../test/standins/discord.ts";
import { guild, member, role, user } from "../test/standins/discord-payloads.ts";
import { startStripeStandin } from "../test/standins/stripe.ts";

const GLOBAL = { limit: 50, windowMs: 1_000 };
const ROLE_BUCKET = DEFAULT_BUCKETS.find((b) => b.route === MEMBER_ROLE_ROUTE)!;
const PAGE = 1_000;

/** Least time N requests need under a fixed window of `limit` per `windowMs` (the first one opens it). */
const bound = (n: number, r: { limit: number; windowMs: number }) =>
  Math.max(0, Math.ceil(n / r.limit) - 1) * r.windowMs;

export async function benchDiscordReconcile(opts: { members: number; lost: number; lapsed: number }) {
  const STRIPE_KEY = "sk_test_bench0123456789";
  const TOKEN = "discord-bench-token.abcdef.0123456789";
  const stripe = await startStripeStandin({ secretKey: STRIPE_KEY });
  const tierRole = role({ name: "Gold", position: 1 });
  const owner = user({ username: "creator" });
  const fans = Array.from({ length: opts.members }, () => user());
  const lost = new Set(fans.slice(0, opts.lost).map((f) => f.id));
  const lapsed = new Set(fans.slice(opts.lost, opts.lost + opts.lapsed).map((f) => f.id));
  const g = guild({
    ownerId: owner.id,
    roles: [tierRole],
    members: [
      member({ user: owner }),
      ...fans.map((f) => member({ user: f, roles: lost.has(f.id) ? [] : [tierRole.id] })),
    ],
  });
  const discord = await startDiscordStandin({ token: TOKEN, rateLimits: true, guilds: [g] });
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "tribegate-bench-"));
  const config = loadConfig({
    values: {
      STRIPE_SECRET_KEY: STRIPE_KEY,
      STRIPE_WEBHOOK_SECRET: "whsec_bench0123456789abcdef",
      STRIPE_API_URL: stripe.origin,
      PUBLIC_BASE_URL: "https://tribe.example.test",
      HOST: "127.0.0.1",
      PORT: "0",
      DATA_DIR: dataDir,
      DISCORD_TOKEN: TOKEN,
      DISCORD_APPLICATION_ID: discord.applicationId,
      DISCORD_API_URL: discord.apiUrl,
    },
    fileKeys: [],
  });
  const sink = new Writable({ write: (_c, _e, done) => done() });
  const log = createLogger({ level: "warn", destination: sink });
  const app = await startTribegate({ config, log, reconcileOnStart: false });
  try {
    await app.discord!.ready();
    const db = app.db.prisma;
    const deps = { ...app.services };
    const tier = await createTier(deps, { name: "Gold", amount: 500, currency: "eur" });
    await addTierAccess(deps, tier.id, { platform: "discord", guildId: g.id, roleId: tierRole.id }, "@Gold");

    // Seed the ledger: every fan a member with a subscription and a done grant.
    const now = new Date();
    const key = `discord:${g.id}:${tierRole.id}`;
    const rows = fans.map((f) => ({ fan: f, memberId: randomUUID() }));
    for (let i = 0; i < rows.length; i += 2_000) {
      const chunk = rows.slice(i, i + 2_000);
      await db.member.createMany({ data: chunk.map((r) => ({ id: r.memberId })) });
      await db.identity.createMany({
        data: chunk.map((r) => ({
          platform: "discord" as const,
          platformUserId: r.fan.id,
          memberId: r.memberId,
        })),
      });
      await db.subscription.createMany({
        data: chunk.map((r) => ({
          id: `sub_bench_${r.fan.id}`,
          memberId: r.memberId,
          tierId: tier.id,
          stripePriceId: tier.prices[0]!.stripePriceId,
          kind: "recurring" as const,
          status: lapsed.has(r.fan.id) ? "canceled" : "active",
          currentPeriodEnd: new Date(now.getTime() + 20 * 86_400_000),
          amount: 500,
          currency: "eur",
          interval: "month",
          syncedAt: now,
          startedAt: now,
          ...(lapsed.has(r.fan.id) ? { endedAt: now } : {}),
        })),
      });
      await db.accessJob.createMany({
        data: chunk.map((r) => ({
          platform: "discord" as const,
          platformUserId: r.fan.id,
          targetKey: key,
          memberId: r.memberId,
          action: "grant" as const,
          reason: "bench seed",
          state: "done" as const,
          finishedAt: now,
        })),
      });
    }

    // 1. Read: the member list through REST pages (a dry run changes nothing).
    const reader = createDiscordReader({ client: app.discord!.client, log });
    const callsBefore = discord.calls.length;
    const t0 = performance.now();
    const preview = await reconcile({ ...deps, readers: [reader] }, { dryRun: true });
    const readMs = performance.now() - t0;
    const gets = discord.calls.slice(callsBefore).filter((c) => c.method === "GET");
    const reads = gets.length;
    const restMs = (gets.at(-1)?.time ?? 0) - (gets[0]?.time ?? 0);

    // 2. Repair: the access worker gives and takes the roles through discord.js's queue.
    const seqBefore = discord.calls.at(-1)?.seq ?? 0;
    const hitsBefore = { ...discord.rateLimitHits };
    const t1 = performance.now();
    const applied = await reconcile(
      { ...deps, readers: [createDiscordReader({ client: app.discord!.client, log })] },
      { dryRun: false },
    );
    const expectedCalls = opts.lost + opts.lapsed;
    for (;;) {
      const open = await db.accessJob.count({ where: { state: { in: ["pending", "running"] } } });
      if (open === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const repairMs = performance.now() - t1;
    const roleCalls = discord.calls.filter(
      (c) => c.seq > seqBefore && c.route === MEMBER_ROLE_ROUTE && c.status === 204,
    );
    const first = roleCalls[0]?.time ?? 0;
    const last = roleCalls.at(-1)?.time ?? 0;
    const lostBack = [...lost].filter((id) => discord.member(g.id, id)?.roles.includes(tierRole.id)).length;
    const lapsedGone = [...lapsed].filter(
      (id) => !discord.member(g.id, id)?.roles.includes(tierRole.id),
    ).length;
    const dead = await db.accessJob.count({ where: { state: "dead" } });

    const pages = Math.ceil((opts.members + 2) / PAGE);
    const result = {
      members: opts.members,
      drift: { preview: preview.drift.length, applied: applied.drift.length },
      read: {
        ms: Math.round(readMs),
        restMs,
        restGets: reads,
        memberPages: pages,
        boundMs: bound(reads, GLOBAL),
      },
      repair: {
        roleCalls: roleCalls.length,
        expected: expectedCalls,
        firstToLastCallMs: last - first,
        boundMs: bound(expectedCalls, ROLE_BUCKET),
        totalMs: Math.round(repairMs),
        route429s: discord.rateLimitHits.route - hitsBefore.route,
        global429s: discord.rateLimitHits.global - hitsBefore.global,
        correct: lostBack === opts.lost && lapsedGone === opts.lapsed && dead === 0,
      },
    };
    return result;
  } finally {
    await app.stop();
    await Promise.allSettled([stripe.close(), discord.close()]);
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      members: { type: "string", default: "10000" },
      lost: { type: "string", default: "30" },
      lapsed: { type: "string", default: "10" },
    },
  });
  const opts = { members: Number(values.members), lost: Number(values.lost), lapsed: Number(values.lapsed) };
  const r = await benchDiscordReconcile(opts);
  const out = [
    `Discord reconciliation, ${r.members} members, stand-in limits: global ${GLOBAL.limit}/${GLOBAL.windowMs} ms, member-role ${ROLE_BUCKET.limit}/${ROLE_BUCKET.windowMs} ms per server`,
    `  read (dry run): ${r.read.ms} ms in all, of which ${r.read.restMs} ms for ${r.read.restGets} REST GETs (${r.read.memberPages} member pages of ${PAGE}); rate-limit bound ${r.read.boundMs} ms; ${r.drift.preview} difference(s) found`,
    `  repair: ${r.repair.roleCalls}/${r.repair.expected} role calls, first→last ${r.repair.firstToLastCallMs} ms vs bound ${r.repair.boundMs} ms (${r.repair.boundMs ? ((r.repair.firstToLastCallMs / r.repair.boundMs) * 100).toFixed(1) : "-"}% of the bound); total ${r.repair.totalMs} ms`,
    `  429s: ${r.repair.route429s} route, ${r.repair.global429s} global; end state correct: ${r.repair.correct}`,
  ];
  process.stdout.write(`${out.join("\n")}\n`);
  process.exit(r.repair.correct ? 0 : 1);
}
