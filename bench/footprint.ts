/**
 * Footprint: start-up time (spawn → `startup.complete`) and resident memory of the real built
 * process (`node dist/src/main.js`, as the Dockerfile runs it), connected to the Discord, Telegram
 * and Stripe stand-ins, idle and with 100,000 members in the ledger, on PGlite and PostgreSQL.
 * Needs `npm run build` first (bench/run.ts does it).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { openDatabase } from "../src/adapters/db/database.ts";
import { migrate } from "../src/adapters/db/migrator.ts";
import { MIGRATIONS_DIR } from "../src/lib/paths.ts";
import { createLogger } from "../src/log.ts";
import { startDiscordStandin } from "../test/standins/discord.ts";
import { startStripeStandin } from "../test/standins/stripe.ts";
import { startTelegramStandin } from "../test/standins/telegram.ts";
import { benchDatabase, record, round } from "./lib.ts";

const ROOT = path.resolve(import.meta.dirname, "..");
const KEY = "sk_test_bench0000000000";
const DISCORD = "discord-bench-token.abc.def";
const TELEGRAM = "123456789:AAbenchbenchbenchbenchbench";

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? "0");
  return kb / 1024;
}

/**
 * The Node options `npm start` runs the bot with (package.json's "start": `node <options>
 * dist/src/main.js`; the Dockerfile's CMD is the same), so the figures are those of the real process.
 */
function startArgs(): string[] {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
    scripts: { start: string };
  };
  const words = pkg.scripts.start.split(/\s+/);
  if (words[0] !== "node" || words.at(-1) !== "dist/src/main.js")
    throw new Error(`package.json's start script is not "node … dist/src/main.js": ${pkg.scripts.start}`);
  return words.slice(1, -1);
}

async function measure(
  env: Record<string, string>,
): Promise<{ startupMs: number; reconcileMs: number; peakRssMb: number; rssMb: number }> {
  const t0 = performance.now();
  // BENCH_CHILD_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the measured process
  // (bench/profile-top.ts); NODE_OPTIONS may not carry --cpu-prof.
  const nodeArgs = process.env.BENCH_CHILD_NODE_ARGS?.split(" ").filter(Boolean) ?? [];
  const child: ChildProcess = spawn(process.execPath, [...startArgs(), ...nodeArgs, "dist/src/main.js"], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", LOG_FORMAT: "json", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    err += d.toString();
  });
  try {
    const startupMs = await new Promise<number>((resolve, reject) => {
      const timer = setInterval(() => {
        if (out.includes('"event":"startup.complete"')) {
          clearInterval(timer);
          resolve(performance.now() - t0);
        } else if (child.exitCode !== null || performance.now() - t0 > 120_000) {
          clearInterval(timer);
          reject(new Error(`the bot did not start: ${err}${out.slice(-2000)}`));
        }
      }, 10);
    });
    // Idle means after the start-up reconciliation of the whole ledger (it runs in the background
    // once the bot is up): wait for it, sampling the resident memory meanwhile, then let it settle.
    let peakRssMb = rssMb(child.pid!);
    const reconcileMs = await new Promise<number>((resolve, reject) => {
      const timer = setInterval(() => {
        peakRssMb = Math.max(peakRssMb, rssMb(child.pid!));
        if (out.includes('"event":"reconcile.done"')) {
          clearInterval(timer);
          resolve(performance.now() - t0 - startupMs);
        } else if (child.exitCode !== null || performance.now() - t0 > 300_000) {
          clearInterval(timer);
          reject(new Error(`the start-up reconciliation did not finish: ${err}${out.slice(-2000)}`));
        }
      }, 50);
    });
    await new Promise((r) => setTimeout(r, 3_000));
    return { startupMs, reconcileMs, peakRssMb, rssMb: rssMb(child.pid!) };
  } finally {
    // A child that already exited (it could not start) emits no second "exit": do not wait for one.
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    }
  }
}

/** 100,000 members, each with a Discord identity, an active subscription and a granted role. */
async function seed(databaseUrl: string | undefined, dataDir: string, members: number): Promise<void> {
  const log = createLogger({ level: "silent", pretty: false });
  const db = await openDatabase({ databaseUrl, dataDir, log });
  try {
    await migrate(db, { migrationsDir: MIGRATIONS_DIR, log });
    await db.prisma.$executeRawUnsafe(`
      INSERT INTO tier (id, slug, name, updated_at) VALUES ('bench', 'bench', 'Bench', now()) ON CONFLICT DO NOTHING;
      `);
    await db.prisma.$executeRawUnsafe(
      `INSERT INTO tier_price (stripe_price_id, tier_id, kind, amount, currency, interval) VALUES ('price_bench', 'bench', 'recurring', 500, 'eur', 'month') ON CONFLICT DO NOTHING`,
    );
    await db.prisma.$executeRawUnsafe(
      `INSERT INTO tier_access (id, tier_id, platform, target_key, guild_id, role_id) VALUES ('ta_bench', 'bench', 'discord', 'discord:1:2', '1', '2') ON CONFLICT DO NOTHING`,
    );
    await db.prisma.$executeRawUnsafe(
      `INSERT INTO member (id, stripe_customer_id, updated_at) SELECT 'm' || g, 'cus_b' || g, now() FROM generate_series(1, ${members}) g`,
    );
    await db.prisma.$executeRawUnsafe(
      `INSERT INTO identity (platform, platform_user_id, member_id) SELECT 'discord', (100000000000000000 + g)::text, 'm' || g FROM generate_series(1, ${members}) g`,
    );
    await db.prisma.$executeRawUnsafe(
      `INSERT INTO subscription (id, member_id, tier_id, stripe_price_id, kind, status, amount, currency, interval, current_period_end, synced_at, started_at, updated_at)
       SELECT 'sub_b' || g, 'm' || g, 'bench', 'price_bench', 'recurring', 'active', 500, 'eur', 'month', now() + interval '20 days', now(), now(), now()
       FROM generate_series(1, ${members}) g`,
    );
    await db.prisma.$executeRawUnsafe(
      `INSERT INTO access_job (platform, platform_user_id, target_key, member_id, action, reason, state, updated_at, finished_at)
       SELECT 'discord', (100000000000000000 + g)::text, 'discord:1:2', 'm' || g, 'grant', 'bench', 'done', now(), now() FROM generate_series(1, ${members}) g`,
    );
  } finally {
    await db.close();
  }
}

export async function benchFootprint(
  backend: "pglite" | "postgres",
  opts: { members: number },
): Promise<void> {
  const [stripe, discord, telegram] = await Promise.all([
    startStripeStandin({ secretKey: KEY }),
    startDiscordStandin({ token: DISCORD }),
    startTelegramStandin({ token: TELEGRAM }),
  ]);
  const pgdb = backend === "postgres" ? await benchDatabase() : undefined;
  const dataDir = mkdtempSync(path.join(tmpdir(), "tg-foot-"));
  const env: Record<string, string> = {
    STRIPE_SECRET_KEY: KEY,
    STRIPE_WEBHOOK_SECRET: "whsec_bench00000000000",
    STRIPE_API_URL: stripe.origin,
    PUBLIC_BASE_URL: "https://bench.example",
    HOST: "127.0.0.1",
    PORT: "0",
    DATA_DIR: dataDir,
    DISCORD_TOKEN: DISCORD,
    DISCORD_APPLICATION_ID: discord.applicationId,
    DISCORD_API_URL: discord.apiUrl,
    TELEGRAM_BOT_TOKEN: TELEGRAM,
    TELEGRAM_API_URL: telegram.apiRoot,
    ...(pgdb ? { DATABASE_URL: pgdb.url } : {}),
  };
  try {
    const first = await measure(env); // creates the database (PGlite: a new data directory)
    record({
      bench: "footprint",
      backend,
      metric: "first start (new database)",
      value: Math.round(first.startupMs),
      unit: "ms",
    });
    const idle = await measure(env);
    record({
      bench: "footprint",
      backend,
      metric: "start-up, empty ledger",
      value: Math.round(idle.startupMs),
      unit: "ms",
    });
    record({
      bench: "footprint",
      backend,
      metric: "RSS idle, empty ledger",
      value: round(idle.rssMb),
      unit: "MB",
    });
    await seed(pgdb?.url, dataDir, opts.members);
    const full = await measure(env);
    record({
      bench: "footprint",
      backend,
      metric: `start-up, ${opts.members} members`,
      value: Math.round(full.startupMs),
      unit: "ms",
    });
    record({
      bench: "footprint",
      backend,
      metric: `RSS idle, ${opts.members} members`,
      value: round(full.rssMb),
      unit: "MB",
    });
    record({
      bench: "footprint",
      backend,
      metric: `start-up reconciliation, ${opts.members} members`,
      value: Math.round(full.reconcileMs),
      unit: "ms",
    });
    record({
      bench: "footprint",
      backend,
      metric: `RSS peak during it, ${opts.members} members`,
      value: round(full.peakRssMb),
      unit: "MB",
    });
  } finally {
    await Promise.allSettled([stripe.close(), discord.close(), telegram.close()]);
    await pgdb?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
