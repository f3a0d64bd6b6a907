/**
 * Reconciliation of a Discord server (10,000 and 100,000 members in `npm run bench -- discord`)
 * against the stand-in's documented rate limits (global 50 requests/s; member-role changes 10 per
 * 10 s per server), compared with the theoretical bound those limits allow.
 *
 *   npx tsx bench/discord-reconcile.ts [--members 10000] [--lost 30] [--lapsed 10] [--json]
 *
 * The bot runs for real (bootstrap, discord.js, PGlite). The ledger is seeded directly in SQL:
 * every fan owes the tier role and was granted it; on Discord, `lost` fans had the role removed by
 * hand and `lapsed` fans still hold it though their subscription ended (the first `lost` fans, then
 * the next `lapsed`: the same drift at every size, so the repair phase, bounded by the role bucket,
 * stays the same length while the read phase grows with the server). Reconciliation reads the
 * member list through REST pages (dry run: the read phase), then a real run and the access worker
 * repair the drift through discord.js's queue (the repair phase). Peak RSS is the whole process's
 * (bot, stand-ins and PGlite together); `npm run bench` runs each size in a process of its own.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { parseArgs } from "node:util";
import { createDiscordReader } from "../src/adapters/discord/reader.ts";
import { reconcile } from "../src/app/reconcile.ts";
import { addTierAccess, createTier } from "../src/app/tiers.ts";
import { startTribegate } from "../src/bootstrap.ts";
import { createLogger } from "../src/log.ts";
import { DEFAULT_BUCKETS, MEMBER_ROLE_ROUTE, startDiscordStandin } from "../test/standins/discord.ts";
import { guild, member, role, user } from "../test/standins/discord-payloads.ts";
import { startStripeStandin } from "../test/standins/stripe.ts";
import { sleep } from "../test/support/helpers.ts";
import { benchConfig, mark, record } from "./lib.ts";

const GLOBAL = { limit: 50, windowMs: 1_000 };
const ROLE_BUCKET = DEFAULT_BUCKETS.find((b) => b.route === MEMBER_ROLE_ROUTE)!;
const PAGE = 1_000;

/** Least time N requests need under a fixed window of `limit` per `windowMs` (the first one opens it). */
const bound = (n: number, r: { limit: number; windowMs: number }) =>
  Math.max(0, Math.ceil(n / r.limit) - 1) * r.windowMs;

/** Fan i (1-based) has the Discord id FAN_ID_BASE + i, in the stand-in and in the seeded ledger. */
const FAN_ID_BASE = 910_000_000_000_000_000n;
const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);

export async function benchDiscordReconcile(opts: { members: number; lost: number; lapsed: number }) {
  // Wall time and memory at the end of each stage (and `[mark]`s for bench/profile-top.ts).
  const stages: Record<string, { ms: number; rssMb: number; heapMb: number }> = {};
  let current = "stand-ins";
  let since = performance.now();
  mark(current);
  const stage = (next: string) => {
    const m = process.memoryUsage();
    stages[current] = { ms: Math.round(performance.now() - since), rssMb: mb(m.rss), heapMb: mb(m.heapUsed) };
    current = next;
    since = performance.now();
    mark(next);
  };
  const STRIPE_KEY = "sk_test_bench0123456789";
  const TOKEN = "discord-bench-token.abcdef.0123456789";
  const stripe = await startStripeStandin({ secretKey: STRIPE_KEY });
  const tierRole = role({ name: "Gold", position: 1 });
  const owner = user({ username: "creator" });
  const fans = Array.from({ length: opts.members }, (_, i) =>
    user({ id: String(FAN_ID_BASE + BigInt(i + 1)) }),
  );
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
  const config = benchConfig({
    stripe: { origin: stripe.origin, secretKey: STRIPE_KEY, webhookSecret: "whsec_bench0123456789abcdef" },
    dataDir,
    discord: { token: TOKEN, applicationId: discord.applicationId, apiUrl: discord.apiUrl, guildIds: [g.id] },
  });
  const sink = new Writable({ write: (_c, _e, done) => done() });
  const log = createLogger({ level: "warn", destination: sink });
  stage("boot+ready");
  const app = await startTribegate({ config, log, reconcileOnStart: false, doctorOnStart: false });
  try {
    await app.discord!.ready();
    stage("seed");
    const db = app.db.prisma;
    const deps = { ...app.services };
    const tier = await createTier(deps, { name: "Gold", amount: 500, currency: "eur" });
    await addTierAccess(deps, tier.id, { platform: "discord", guildId: g.id, roleId: tierRole.id }, "@Gold");

    // Seed the ledger in SQL, a statement per table (what the ledger would hold after every fan
    // paid): every fan a member with an active subscription and a done grant; the lapsed ones'
    // subscriptions ended. Fan i (1-based) has the Discord id FAN_ID_BASE + i.
    const key = `discord:${g.id}:${tierRole.id}`;
    const lapsedFrom = opts.lost + 1;
    const lapsedTo = opts.lost + opts.lapsed;
    const series = `generate_series(1, ${opts.members}) g`;
    const fanId = `(${FAN_ID_BASE} + g)::text`;
    await db.$executeRawUnsafe(
      `INSERT INTO member (id, updated_at) SELECT 'bench-' || lpad(g::text, 7, '0'), now() FROM ${series}`,
    );
    await db.$executeRawUnsafe(
      `INSERT INTO identity (platform, platform_user_id, member_id) SELECT 'discord', ${fanId}, 'bench-' || lpad(g::text, 7, '0') FROM ${series}`,
    );
    await db.$executeRawUnsafe(
      `INSERT INTO subscription (id, member_id, tier_id, stripe_price_id, kind, status, amount, currency, interval, current_period_end, synced_at, started_at, ended_at, updated_at)
       SELECT 'sub_bench_' || g, 'bench-' || lpad(g::text, 7, '0'), $1, $2, 'recurring',
              CASE WHEN g BETWEEN ${lapsedFrom} AND ${lapsedTo} THEN 'canceled' ELSE 'active' END,
              500, 'eur', 'month', now() + interval '20 days', now(), now(),
              CASE WHEN g BETWEEN ${lapsedFrom} AND ${lapsedTo} THEN now() END, now()
       FROM ${series}`,
      tier.id,
      tier.prices[0]!.stripePriceId,
    );
    await db.$executeRawUnsafe(
      `INSERT INTO access_job (platform, platform_user_id, target_key, member_id, action, reason, state, updated_at, finished_at)
       SELECT 'discord', ${fanId}, $1, 'bench-' || lpad(g::text, 7, '0'), 'grant', 'bench seed', 'done', now(), now() FROM ${series}`,
      key,
    );

    stage("read");
    // 1. Read: the member list through REST pages (a dry run changes nothing).
    const reader = createDiscordReader({ client: app.discord!.client, log });
    const callsBefore = discord.calls.length;
    const readHitsBefore = { ...discord.rateLimitHits };
    const t0 = performance.now();
    const preview = await reconcile({ ...deps, readers: [reader] }, { dryRun: true });
    const readMs = performance.now() - t0;
    const gets = discord.calls.slice(callsBefore).filter((c) => c.method === "GET");
    const reads = gets.length;
    const restMs = (gets.at(-1)?.time ?? 0) - (gets[0]?.time ?? 0);
    stage("repair: reconcile");

    // 2. Repair: the access worker gives and takes the roles through discord.js's queue.
    const seqBefore = discord.calls.at(-1)?.seq ?? 0;
    const hitsBefore = { ...discord.rateLimitHits };
    const t1 = performance.now();
    const applied = await reconcile(
      { ...deps, readers: [createDiscordReader({ client: app.discord!.client, log })] },
      { dryRun: false },
    );
    const expectedCalls = opts.lost + opts.lapsed;
    stage("repair: jobs");
    for (;;) {
      const open = await db.accessJob.count({ where: { state: { in: ["pending", "running"] } } });
      if (open === 0) break;
      await sleep(100);
    }
    const repairMs = performance.now() - t1;
    stage("end");
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
    const result: DiscordReconcileResult = {
      members: opts.members,
      drifted: { lost: opts.lost, lapsed: opts.lapsed },
      stages,
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      drift: { preview: preview.drift.length, applied: applied.drift.length },
      read: {
        ms: Math.round(readMs),
        restMs,
        restGets: reads,
        memberPages: pages,
        boundMs: bound(reads, GLOBAL),
        route429s: hitsBefore.route - readHitsBefore.route,
        global429s: hitsBefore.global - readHitsBefore.global,
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

export interface DiscordReconcileResult {
  members: number;
  drifted: { lost: number; lapsed: number };
  stages: Record<string, { ms: number; rssMb: number; heapMb: number }>;
  peakRssMb: number;
  drift: { preview: number; applied: number };
  read: {
    ms: number;
    restMs: number;
    restGets: number;
    memberPages: number;
    boundMs: number;
    route429s: number;
    global429s: number;
  };
  repair: {
    roleCalls: number;
    expected: number;
    firstToLastCallMs: number;
    boundMs: number;
    totalMs: number;
    route429s: number;
    global429s: number;
    correct: boolean;
  };
}

const command = (opts: { members: number; lost: number; lapsed: number }) =>
  `npx tsx bench/discord-reconcile.ts --members ${opts.members} --lost ${opts.lost} --lapsed ${opts.lapsed}`;

/** Runs the benchmark in a process of its own (its peak RSS is then its own) and returns its result. */
export async function benchDiscordReconcileIsolated(opts: {
  members: number;
  lost: number;
  lapsed: number;
}): Promise<DiscordReconcileResult> {
  console.log(`  (alone: ${command(opts)})`);
  const args = ["--members", opts.members, "--lost", opts.lost, "--lapsed", opts.lapsed].map(String);
  const child = spawn(process.execPath, ["--import", "tsx", import.meta.filename, ...args, "--json"], {
    cwd: path.resolve(import.meta.dirname, ".."),
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  const last = out.trim().split("\n").at(-1) ?? "";
  if (code !== 0 || !last.startsWith("{")) throw new Error(`${command(opts)} failed (exit ${code}):\n${out}`);
  return JSON.parse(last) as DiscordReconcileResult;
}

/** The figures of one run, as `npm run bench` prints them. */
export function recordDiscordReconcile(r: DiscordReconcileResult): void {
  const b = `discord reconcile ${r.members >= 1000 ? `${r.members / 1000}k` : r.members}`;
  const pct = (a: number, b: number) => (b ? Math.round((a / b) * 1000) / 10 : 0);
  const fig = (metric: string, value: number, unit: string) => record({ bench: b, metric, value, unit });
  fig("read: whole dry run", r.read.ms, "ms");
  fig("read: REST GETs (member pages + roles)", r.read.restGets, "requests");
  fig("read: REST first→last GET", r.read.restMs, "ms");
  fig("read: rate-limit bound", r.read.boundMs, "ms");
  fig("repair: drifted members (lost + lapsed)", r.drifted.lost + r.drifted.lapsed, "members");
  fig("repair: role calls", r.repair.roleCalls, "requests");
  fig("repair: first→last call", r.repair.firstToLastCallMs, "ms");
  fig("repair: rate-limit bound", r.repair.boundMs, "ms");
  fig("repair: time / bound", pct(r.repair.firstToLastCallMs, r.repair.boundMs), "%");
  fig("repair: whole (real run + jobs)", r.repair.totalMs, "ms");
  fig(
    "429s received",
    r.read.route429s + r.read.global429s + r.repair.route429s + r.repair.global429s,
    "answers",
  );
  fig("peak RSS (bot + stand-ins + PGlite)", r.peakRssMb, "MB");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      members: { type: "string", default: "10000" },
      lost: { type: "string", default: "30" },
      lapsed: { type: "string", default: "10" },
      json: { type: "boolean", default: false },
    },
  });
  const opts = { members: Number(values.members), lost: Number(values.lost), lapsed: Number(values.lapsed) };
  for (const [k, v] of Object.entries(opts))
    if (!Number.isSafeInteger(v) || v < 0) throw new Error(`--${k} must be a whole number, not ${v}`);
  const r = await benchDiscordReconcile(opts);
  if (values.json) {
    process.stdout.write(`${JSON.stringify(r)}\n`);
    process.exit(r.repair.correct ? 0 : 1);
  }
  const out = [
    `Discord reconciliation, ${r.members} members, stand-in limits: global ${GLOBAL.limit}/${GLOBAL.windowMs} ms, member-role ${ROLE_BUCKET.limit}/${ROLE_BUCKET.windowMs} ms per server`,
    `  read (dry run): ${r.read.ms} ms in all, of which ${r.read.restMs} ms for ${r.read.restGets} REST GETs (${r.read.memberPages} member pages of ${PAGE}); rate-limit bound ${r.read.boundMs} ms; ${r.drift.preview} difference(s) found`,
    `  repair: ${r.repair.roleCalls}/${r.repair.expected} role calls, first→last ${r.repair.firstToLastCallMs} ms vs bound ${r.repair.boundMs} ms (${r.repair.boundMs ? ((r.repair.firstToLastCallMs / r.repair.boundMs) * 100).toFixed(1) : "-"}% of the bound); total ${r.repair.totalMs} ms`,
    `  429s: read ${r.read.route429s} route, ${r.read.global429s} global; repair ${r.repair.route429s} route, ${r.repair.global429s} global; end state correct: ${r.repair.correct}`,
    `  stages: ${Object.entries(r.stages)
      .map(([k, v]) => `${k} ${v.ms} ms (RSS ${v.rssMb} MB, heap ${v.heapMb} MB)`)
      .join("; ")}; peak RSS ${r.peakRssMb} MB`,
    `reproduce with: ${command(opts)}`,
  ];
  process.stdout.write(`${out.join("\n")}\n`);
  process.exit(r.repair.correct ? 0 : 1);
}
