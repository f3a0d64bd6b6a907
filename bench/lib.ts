/**
 * Shared pieces of the benchmarks: a PostgreSQL server (BENCH_DATABASE_URL, or a throwaway cluster
 * with fsync ON so commits are real), percentiles, and the result table/JSON.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { startTribegate, type Tribegate } from "../src/bootstrap.ts";
import { type Config, loadConfig } from "../src/config.ts";
import type { Logger } from "../src/log.ts";
import {
  type DiscordStandin,
  type DiscordStandinOptions,
  MEMBER_ROLE_ROUTE,
  startDiscordStandin,
} from "../test/standins/discord.ts";
import { serverSettings } from "../test/standins/http.ts";
import {
  type StripeStandin,
  type StripeStandinOptions,
  startStripeStandin,
} from "../test/standins/stripe.ts";
import {
  startTelegramStandin,
  type TelegramStandin,
  type TelegramStandinOptions,
} from "../test/standins/telegram.ts";
import { findPostgresBin, startCluster } from "../test/support/global-setup.ts";

export interface Figure {
  bench: string;
  backend?: string;
  metric: string;
  value: number;
  unit: string;
}

export const figures: Figure[] = [];

export function record(f: Figure): void {
  figures.push(f);
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function summarize(ms: readonly number[]) {
  const s = [...ms].sort((a, b) => a - b);
  return {
    n: s.length,
    median: percentile(s, 50),
    p99: percentile(s, 99),
    max: s[s.length - 1] ?? Number.NaN,
  };
}

export const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

let server: { url: string; stop(): Promise<void> } | undefined;

/** A fresh database on the benchmark's PostgreSQL server. */
export async function benchDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  if (!server) {
    const fromEnv = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
    if (fromEnv) server = { url: fromEnv, stop: async () => {} };
    else {
      const bin = findPostgresBin();
      if (!bin)
        throw new Error(
          "PostgreSQL benchmarks need PostgreSQL: apt-get install postgresql, or set BENCH_DATABASE_URL",
        );
      server = await startCluster(bin, { durable: true });
    }
  }
  const name = `tribegate_bench_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(server.url);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: server!.url });
      await c.connect();
      await c.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
        [name],
      );
      await c.query(`DROP DATABASE IF EXISTS "${name}"`);
      await c.end();
    },
  };
}

export async function stopBenchServer(): Promise<void> {
  await server?.stop();
  server = undefined;
}

export function printAndSave(command: string): void {
  const rows = figures.map((f) => [f.bench, f.backend ?? "", f.metric, String(f.value), f.unit]);
  const header = ["benchmark", "backend", "metric", "value", "unit"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ");
  console.log(`\n${line(header)}\n${widths.map((w) => "-".repeat(w)).join("  ")}`);
  for (const r of rows) console.log(line(r));
  const dir = path.resolve(import.meta.dirname, "results");
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `bench-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  writeFileSync(
    file,
    `${JSON.stringify({ at: new Date().toISOString(), node: process.version, command, figures }, null, 2)}\n`,
  );
  console.log(`\nwritten to ${path.relative(process.cwd(), file)}\nreproduce with: ${command}`);
}

/**
 * With BENCH_MARKS=1, prints `[mark] <stage> <µs>` to stderr on the monotonic clock V8's
 * `--cpu-prof` uses, so bench/profile-top.ts can cut a profile into the stages of a benchmark.
 */
export function mark(stage: string): void {
  if (process.env.BENCH_MARKS) process.stderr.write(`[mark] ${stage} ${process.hrtime.bigint() / 1000n}\n`);
}

/**
 * The bot's configuration against the stand-ins a benchmark started: Stripe always, Discord and
 * Telegram when given (neither: the ledger alone, as the webhook-ingest benchmark measures it).
 */
/** The Telegram creator of a benchmark run unless it names its own: a user who never writes. */
export const BENCH_TELEGRAM_CREATOR = 4_200_000_001;

export function benchConfig(opts: {
  stripe: { origin: string; secretKey: string; webhookSecret: string };
  dataDir: string;
  databaseUrl?: string | undefined;
  /** `guildIds`: the home servers (DISCORD_GUILD_IDS). */
  discord?: { token: string; applicationId: string; apiUrl: string; guildIds: string[] };
  /** `creatorIds`: TELEGRAM_CREATOR_IDS (default: one creator who never writes, so no set-up code is logged). */
  telegram?: { token: string; apiRoot: string; creatorIds?: number[] };
}): Config {
  const ledgerOnly = !opts.discord && !opts.telegram;
  const config = loadConfig({
    values: {
      STRIPE_SECRET_KEY: opts.stripe.secretKey,
      STRIPE_WEBHOOK_SECRET: opts.stripe.webhookSecret,
      STRIPE_API_URL: opts.stripe.origin,
      PUBLIC_BASE_URL: "https://bench.example",
      HOST: "127.0.0.1",
      PORT: "0",
      DATA_DIR: opts.dataDir,
      ...(opts.databaseUrl ? { DATABASE_URL: opts.databaseUrl } : {}),
      ...(opts.discord
        ? {
            DISCORD_TOKEN: opts.discord.token,
            DISCORD_APPLICATION_ID: opts.discord.applicationId,
            DISCORD_API_URL: opts.discord.apiUrl,
            DISCORD_GUILD_IDS: opts.discord.guildIds.join(","),
          }
        : {}),
      ...(opts.telegram
        ? {
            TELEGRAM_BOT_TOKEN: opts.telegram.token,
            TELEGRAM_API_URL: opts.telegram.apiRoot,
            TELEGRAM_CREATOR_IDS: (opts.telegram.creatorIds ?? [BENCH_TELEGRAM_CREATOR]).join(","),
          }
        : {}),
      // The configuration asks for a platform; a ledger-only run names one and then drops it.
      ...(ledgerOnly ? { TELEGRAM_BOT_TOKEN: "1:benchbenchbenchbenchbench" } : {}),
    },
    fileKeys: [],
  });
  return ledgerOnly ? { ...config, telegram: undefined } : config;
}

/** A bot and its stand-ins, as every benchmark starts them; stop() removes everything. */
export interface BenchWorld<T extends TelegramStandin | undefined> {
  app: Tribegate;
  stripe: StripeStandin;
  discord: DiscordStandin;
  telegram: T;
  pgdb: Awaited<ReturnType<typeof benchDatabase>> | undefined;
  dataDir: string;
  webhookUrl: string;
  stop(): Promise<void>;
}

/**
 * Starts the Stripe and Discord stand-ins (and Telegram's when `telegram` is given), a fresh database
 * on `backend` (a throwaway PostgreSQL database, or PGlite in a temporary folder) and the bot through
 * its composition root, with reconciliation and the doctor off at start. `keepAliveMs`: how long the
 * stand-ins keep idle connections (Discord and Telegram keep them open for a while; the stand-ins'
 * 1-second default would open a new connection for most calls of a burst).
 */
export async function startBenchWorld<TG extends TelegramStandinOptions | undefined = undefined>(opts: {
  backend: "pglite" | "postgres";
  stripe: StripeStandinOptions & { secretKey: string; webhookSecret: string };
  discord: DiscordStandinOptions & { token: string; guilds: NonNullable<DiscordStandinOptions["guilds"]> };
  telegram?: TG;
  log: Logger;
  configure?: (config: Config) => Config;
  keepAliveMs?: number;
}): Promise<BenchWorld<TG extends undefined ? undefined : TelegramStandin>> {
  const keepAlive = serverSettings.keepAliveTimeoutMs;
  if (opts.keepAliveMs !== undefined) serverSettings.keepAliveTimeoutMs = opts.keepAliveMs;
  const { webhookSecret, ...stripeOptions } = opts.stripe;
  const [stripe, discord, telegram] = await Promise.all([
    startStripeStandin(stripeOptions),
    startDiscordStandin(opts.discord),
    opts.telegram ? startTelegramStandin(opts.telegram) : undefined,
  ]).finally(() => {
    serverSettings.keepAliveTimeoutMs = keepAlive;
  });
  const pgdb = opts.backend === "postgres" ? await benchDatabase() : undefined;
  const dataDir = mkdtempSync(path.join(tmpdir(), "tribegate-bench-"));
  const base = benchConfig({
    stripe: { origin: stripe.origin, secretKey: opts.stripe.secretKey, webhookSecret },
    dataDir,
    databaseUrl: pgdb?.url,
    discord: {
      token: opts.discord.token,
      applicationId: discord.applicationId,
      apiUrl: discord.apiUrl,
      guildIds: opts.discord.guilds.map((g) => g.id),
    },
    ...(telegram && opts.telegram?.token
      ? { telegram: { token: opts.telegram.token, apiRoot: telegram.apiRoot } }
      : {}),
  });
  const config = opts.configure ? opts.configure(base) : base;
  const app = await startTribegate({ config, log: opts.log, reconcileOnStart: false, doctorOnStart: false });
  return {
    app,
    stripe,
    discord,
    telegram: telegram as TG extends undefined ? undefined : TelegramStandin,
    pgdb,
    dataDir,
    webhookUrl: `${app.http.url}/stripe/webhook`,
    async stop() {
      await app.stop();
      await Promise.allSettled([stripe.close(), discord.close(), telegram?.close()]);
      await pgdb?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * When the Discord stand-in answered the role PUT giving `roleId` to `userId` (performance.now()).
 * Call it before the action that leads to the role, so that a fast answer is not missed.
 */
export function roleGivenAt(
  discord: DiscordStandin,
  userId: string,
  roleId: string,
  timeoutMs: number,
): Promise<number> {
  return discord
    .waitForCall(
      (c) =>
        c.method === "PUT" &&
        c.route === MEMBER_ROLE_ROUTE &&
        c.params.user === userId &&
        c.params.role === roleId &&
        c.status === 204,
      timeoutMs,
    )
    .then(() => performance.now());
}
