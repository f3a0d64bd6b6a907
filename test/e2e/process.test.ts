import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DiscordStandin, startDiscordStandin } from "../standins/discord.ts";
import { type StripeStandin, startStripeStandin } from "../standins/stripe.ts";
import { startTelegramStandin, type TelegramStandin } from "../standins/telegram.ts";
import { DISCORD_TOKEN, STRIPE_KEY, TELEGRAM_TOKEN, WEBHOOK_SECRET } from "./harness.ts";

/**
 * The real process (`src/main.ts`, as `npm start` runs it, through tsx instead of the build):
 * exit codes, plain-words refusals without stack traces, a second process on the same data
 * directory, SIGTERM.
 */
const ROOT = path.resolve(import.meta.dirname, "../..");
// Resolved from the project: the process runs in a scratch directory (for its .env and ./data).
const TSX = import.meta.resolve("tsx");

interface Run {
  child: ChildProcess;
  stdout: string[];
  stderr: string[];
  exit: Promise<number | null>;
}

function runMain(env: Record<string, string>, cwd = mkdtempSync(path.join(tmpdir(), "tg-proc-"))): Run {
  const child = spawn(process.execPath, ["--import", TSX, path.join(ROOT, "src/main.ts")], {
    cwd,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", LOG_FORMAT: "json", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const run: Run = {
    child,
    stdout: [],
    stderr: [],
    exit: new Promise((resolve) => child.on("exit", (code) => resolve(code))),
  };
  child.stdout?.on("data", (d: Buffer) => run.stdout.push(d.toString()));
  child.stderr?.on("data", (d: Buffer) => run.stderr.push(d.toString()));
  return run;
}

const stderrOf = (r: Run) => r.stderr.join("");
const eventsOf = (r: Run) =>
  r.stdout
    .join("")
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

async function waitForEvent(r: Run, event: string, timeoutMs = 30_000): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = eventsOf(r).find((e) => e.event === event);
    if (found) return found;
    if (Date.now() > deadline || r.child.exitCode !== null) {
      throw new Error(`no ${event}; stderr: ${stderrOf(r)}; stdout: ${r.stdout.join("").slice(-2000)}`);
    }
    await new Promise((res) => setTimeout(res, 50));
  }
}

function expectPlainRefusal(r: Run): void {
  const err = stderrOf(r);
  expect(err).toMatch(/^tribegate cannot start/m);
  expect(err).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m); // no stack trace
}

describe("the bot process", () => {
  let stripe: StripeStandin;
  let discord: DiscordStandin;
  let telegram: TelegramStandin;
  let baseEnv: Record<string, string>;

  beforeAll(async () => {
    [stripe, discord, telegram] = await Promise.all([
      startStripeStandin({ secretKey: STRIPE_KEY }),
      startDiscordStandin({ token: DISCORD_TOKEN }),
      startTelegramStandin({ token: TELEGRAM_TOKEN }),
    ]);
    baseEnv = {
      STRIPE_SECRET_KEY: STRIPE_KEY,
      STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      STRIPE_API_URL: stripe.origin,
      PUBLIC_BASE_URL: "https://tribe.example.test",
      HOST: "127.0.0.1",
      PORT: "0",
      DISCORD_TOKEN,
      DISCORD_APPLICATION_ID: discord.applicationId,
      DISCORD_API_URL: discord.apiUrl,
      TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
      TELEGRAM_API_URL: telegram.apiRoot,
    };
  });
  afterAll(async () => {
    await Promise.allSettled([stripe?.close(), discord?.close(), telegram?.close()]);
  });

  it("with no settings at all, explains exactly what to configure and exits 1", async () => {
    const r = runMain({});
    expect(await r.exit).toBe(1);
    expectPlainRefusal(r);
    const err = stderrOf(r);
    for (const name of ["DISCORD_TOKEN", "TELEGRAM_BOT_TOKEN", "STRIPE_SECRET_KEY", "PUBLIC_BASE_URL"]) {
      expect(err).toContain(name);
    }
    expect(err).toContain(".env.example");
  });

  it("reads .env, and names an unknown or malformed setting there", async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), "tg-proc-"));
    writeFileSync(path.join(cwd, ".env"), "STRIPE_SECRET_KEY=pk_live_123\nDISCORD_TOKN=abc\nPORT=http\n");
    const r = runMain({}, cwd);
    expect(await r.exit).toBe(1);
    expectPlainRefusal(r);
    expect(stderrOf(r)).toContain("DISCORD_TOKN: is not a tribegate setting (did you mean DISCORD_TOKEN?)");
    expect(stderrOf(r)).toMatch(/STRIPE_SECRET_KEY: must be a Stripe secret or restricted key/);
    expect(stderrOf(r)).toMatch(/PORT: must be a whole number/);
  });

  it("refuses an unreachable DATABASE_URL, naming it without its password", async () => {
    const r = runMain({ ...baseEnv, DATABASE_URL: "postgresql://tribe:hunter2secret@127.0.0.1:1/tribegate" });
    expect(await r.exit).toBe(1);
    expectPlainRefusal(r);
    expect(stderrOf(r)).toContain("DATABASE_URL");
    expect(stderrOf(r)).not.toContain("hunter2secret");
    expect(r.stdout.join("")).not.toContain("hunter2secret");
  });

  it("refuses a data directory it cannot write", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "tg-proc-"));
    writeFileSync(path.join(dir, "file"), "not a directory");
    const r = runMain({ ...baseEnv, DATA_DIR: path.join(dir, "file", "data") });
    expect(await r.exit).toBe(1);
    expectPlainRefusal(r);
    expect(stderrOf(r)).toContain("DATA_DIR");
  });

  it("refuses a Discord token Discord rejects", async () => {
    const r = runMain({
      ...baseEnv,
      DATA_DIR: mkdtempSync(path.join(tmpdir(), "tg-data-")),
      DISCORD_TOKEN: "wrong.token.value",
    });
    expect(await r.exit).toBe(1);
    expectPlainRefusal(r);
    expect(stderrOf(r)).toContain("DISCORD_TOKEN: Discord refused this token");
  }, 60_000);

  it("starts on the embedded database, serves /readyz, refuses a second process on the same data directory, and exits 0 on SIGTERM", async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "tg-data-"));
    mkdirSync(dataDir, { recursive: true });
    const first = runMain({ ...baseEnv, DATA_DIR: dataDir });
    const up = await waitForEvent(first, "startup.complete", 60_000);
    const ready = await fetch(`http://127.0.0.1:${String(up.port)}/readyz`);
    expect(await ready.json()).toMatchObject({ status: "ready" });

    const second = runMain({ ...baseEnv, DATA_DIR: dataDir });
    expect(await second.exit).toBe(1);
    expectPlainRefusal(second);
    expect(stderrOf(second)).toMatch(/locked: another tribegate process \(pid \d+\)/);

    const t0 = Date.now();
    first.child.kill("SIGTERM");
    expect(await first.exit).toBe(0);
    expect(Date.now() - t0).toBeLessThan(10_000);
    const events = eventsOf(first).map((e) => e.event);
    expect(events).toContain("shutdown.complete");
    expect(events.indexOf("http.closed")).toBeLessThan(events.indexOf("shutdown.complete"));
    const out = first.stdout.join("");
    for (const secret of [STRIPE_KEY, WEBHOOK_SECRET, DISCORD_TOKEN, TELEGRAM_TOKEN])
      expect(out).not.toContain(secret);
  }, 120_000);
});

describe("a migration that fails at start-up", () => {
  it("stops the bot with an error naming the migration; the database keeps the earlier ones only", async () => {
    const { cpSync } = await import("node:fs");
    const { startTribegate } = await import("../../src/bootstrap.ts");
    const { loadConfig } = await import("../../src/config.ts");
    const { createLogger } = await import("../../src/log.ts");
    const { openDatabase } = await import("../../src/adapters/db/database.ts");
    const { StartupError } = await import("../../src/errors.ts");
    const migrations = mkdtempSync(path.join(tmpdir(), "tg-mig-"));
    cpSync(path.join(ROOT, "prisma/migrations"), migrations, { recursive: true });
    mkdirSync(path.join(migrations, "29990101000000_broken"));
    writeFileSync(
      path.join(migrations, "29990101000000_broken", "migration.sql"),
      "CREATE TABLE half_done (id INT);\nALTER TABLE no_such_table ADD COLUMN x INT;\n",
    );
    const dataDir = mkdtempSync(path.join(tmpdir(), "tg-data-"));
    const config = loadConfig({
      values: {
        TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
        TELEGRAM_API_URL: "http://127.0.0.1:1",
        STRIPE_SECRET_KEY: STRIPE_KEY,
        STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
        PUBLIC_BASE_URL: "https://tribe.example.test",
        PORT: "0",
        DATA_DIR: dataDir,
      },
      fileKeys: [],
    });
    const log = createLogger({ level: "silent", pretty: false });
    const err = await startTribegate({ config, log, migrationsDir: migrations }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StartupError);
    expect((err as InstanceType<typeof StartupError>).code).toBe("migration_failed");
    expect((err as Error).message).toContain("29990101000000_broken");
    // Nothing of the broken migration was kept; the others were applied; the lock was released.
    const db = await openDatabase({ dataDir, log });
    try {
      const tables = await db.prisma.$queryRaw<
        { n: bigint }[]
      >`SELECT count(*) AS n FROM pg_tables WHERE tablename = 'half_done'`;
      expect(Number(tables[0]?.n)).toBe(0);
      const rows = await db.prisma.$queryRaw<{ migration_name: string; finished_at: Date | null }[]>`
        SELECT migration_name, finished_at FROM _prisma_migrations ORDER BY migration_name`;
      expect(rows.at(-1)).toMatchObject({ migration_name: "29990101000000_broken", finished_at: null });
      expect(rows.slice(0, -1).every((r) => r.finished_at !== null)).toBe(true);
    } finally {
      await db.close();
    }
  }, 60_000);
});
