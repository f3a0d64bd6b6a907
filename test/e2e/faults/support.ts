/**
 * Helpers shared by the fault tests (test/e2e/faults): the real bot process
 * (`node --import tsx src/main.ts`, as test/e2e/process.test.ts runs it), and Stripe's delivery
 * rule (retry every event until it is answered 2xx).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type Stripe from "stripe";
import { createBilling, createStripeClient } from "../../../src/adapters/stripe/billing.ts";
import type { Db } from "../../../src/app/db.ts";
import { addTierAccess, createTier } from "../../../src/app/tiers.ts";
import { systemClock } from "../../../src/app/worker.ts";
import { createLogger } from "../../../src/log.ts";
import { signedWebhook } from "../../standins/stripe-webhooks.ts";
import { type Prng, sleep } from "../../support/helpers.ts";

export { freePort } from "../../support/global-setup.ts";

const ROOT = path.resolve(import.meta.dirname, "../../..");
const TSX = import.meta.resolve("tsx");

/** One run of the real bot process. */
export interface BotProcess {
  child: ChildProcess;
  pid: number;
  /** The process's pino JSON lines so far (stdout). */
  events(): Record<string, unknown>[];
  stderr(): string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Spawns `src/main.ts` with exactly `env` (plus PATH/HOME and JSON logs) in a scratch directory. */
export function spawnBot(env: Record<string, string>): BotProcess {
  const cwd = mkdtempSync(path.join(tmpdir(), "tg-fault-"));
  const child = spawn(process.execPath, ["--import", TSX, path.join(ROOT, "src/main.ts")], {
    cwd,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", LOG_FORMAT: "json", ...env },
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
  return {
    child,
    pid: child.pid ?? -1,
    events: () =>
      out
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .flatMap((l) => {
          try {
            return [JSON.parse(l) as Record<string, unknown>];
          } catch {
            return []; // a line cut short by SIGKILL
          }
        }),
    stderr: () => err,
    exit: new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal }))),
  };
}

/** Resolves once the process logged `event`; throws if it exits first or the time runs out. */
export async function waitForBotEvent(
  bot: BotProcess,
  event: string,
  timeoutMs = 60_000,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = bot.events().find((e) => e.event === event);
    if (found) return found;
    if (Date.now() > deadline || bot.child.exitCode !== null || bot.child.signalCode !== null) {
      throw new Error(
        `the bot (pid ${bot.pid}) did not log ${event}; stderr: ${bot.stderr().slice(-2000)}; ` +
          `last events: ${JSON.stringify(bot.events().slice(-5))}`,
      );
    }
    await sleep(25);
  }
}

/**
 * The environment of a real bot process against the stand-ins: Stripe, Discord (one home guild),
 * the HTTP server on 127.0.0.1:`port`, JSON info logs; PostgreSQL when `databaseUrl` is given, else
 * PGlite in `dataDir`. Add what a scenario needs besides (Telegram) to the object it returns.
 */
export function botEnv(o: {
  secrets: { stripeKey: string; webhookSecret: string; discordToken: string };
  stripe: { origin: string };
  discord: { applicationId: string; apiUrl: string };
  guildId: string;
  port: number;
  dataDir: string;
  databaseUrl?: string | undefined;
}): Record<string, string> {
  return {
    STRIPE_SECRET_KEY: o.secrets.stripeKey,
    STRIPE_WEBHOOK_SECRET: o.secrets.webhookSecret,
    STRIPE_API_URL: o.stripe.origin,
    PUBLIC_BASE_URL: "https://tribe.example.test",
    HOST: "127.0.0.1",
    PORT: String(o.port),
    DATA_DIR: o.dataDir,
    ...(o.databaseUrl ? { DATABASE_URL: o.databaseUrl } : {}),
    LOG_LEVEL: "info",
    DISCORD_TOKEN: o.secrets.discordToken,
    DISCORD_APPLICATION_ID: o.discord.applicationId,
    DISCORD_API_URL: o.discord.apiUrl,
    DISCORD_GUILD_IDS: o.guildId,
  };
}

export interface DeliveryStats {
  /** Deliveries answered 2xx (every copy of an event counts). */
  delivered: number;
  /** Attempts that failed (connection refused or reset, timeout, 5xx) and were tried again. */
  retries: number;
  /** Answers that were neither 2xx nor 5xx (a bug: Stripe would retry them, the test fails). */
  unexpected: { id: string; status: number; body: string }[];
}

export const newStats = (): DeliveryStats => ({ delivered: 0, retries: 0, unexpected: [] });

/**
 * Delivers one event as Stripe does: signed, retried until the answer is 2xx (Stripe also retries
 * after a connection error or a timeout). Signed afresh at each attempt, like Stripe.
 */
export async function deliverUntil2xx(
  url: () => string,
  event: Stripe.Event,
  secret: string,
  stats: DeliveryStats,
  opts: { retryDelayMs?: number; deadlineMs?: number; requestTimeoutMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + (opts.deadlineMs ?? 60_000);
  for (;;) {
    const { body, headers } = signedWebhook(event, secret);
    let status = 0;
    let text = "";
    try {
      const res = await fetch(url(), {
        method: "POST",
        headers,
        body,
        signal: AbortSignal.timeout(opts.requestTimeoutMs ?? 10_000),
      });
      status = res.status;
      text = await res.text();
    } catch {
      status = 0; // refused, reset, timed out: the bot is down or was killed mid-request
    }
    if (status >= 200 && status < 300) {
      stats.delivered++;
      return;
    }
    if (status !== 0 && status < 500) {
      stats.unexpected.push({ id: event.id, status, body: text });
      return;
    }
    if (Date.now() > deadline) throw new Error(`event ${event.id} (${event.type}) never got a 2xx answer`);
    stats.retries++;
    await sleep(opts.retryDelayMs ?? 100);
  }
}

/** Delivers `events` in the given order with `concurrency` deliveries in flight, each until 2xx. */
export async function deliverAllUntil2xx(
  url: () => string,
  events: readonly Stripe.Event[],
  secret: string,
  stats: DeliveryStats,
  opts: { concurrency?: number; pauseMs?: () => number } = {},
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < events.length) {
      const event = events[next++] as Stripe.Event;
      await deliverUntil2xx(url, event, secret, stats);
      const pause = opts.pauseMs?.() ?? 0;
      if (pause > 0) await sleep(pause);
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency ?? 3 }, worker));
}

/**
 * Stripe's delivery order: the events shuffled, some of them delivered twice (a later copy),
 * deterministic for a given PRNG.
 */
export function stripeOrder(
  rng: Prng,
  events: readonly Stripe.Event[],
  duplicateShare: number,
): Stripe.Event[] {
  const order = rng.shuffle([...events]);
  for (const e of events) {
    if (!rng.chance(duplicateShare)) continue;
    const at = rng.int(Math.min(order.indexOf(e) + 1, order.length), order.length);
    order.splice(at, 0, e);
  }
  return order;
}

/**
 * The creator's Gold tier (5 €/month) opening `roleId` in `guildId`, written as the creator's command
 * would, with Stripe's product and price made on the stand-in. Returns the use cases' dependencies.
 */
export async function seedGoldTier(
  db: Db,
  opts: { stripeOrigin: string; secretKey: string; webhookSecret: string; guildId: string; roleId: string },
): Promise<Parameters<typeof createTier>[0] & { publicBaseUrl: string }> {
  const deps = {
    db,
    billing: createBilling(
      createStripeClient({
        secretKey: opts.secretKey,
        webhookSecret: opts.webhookSecret,
        apiUrl: opts.stripeOrigin,
      }),
    ),
    clock: systemClock,
    log: createLogger({ level: "silent", pretty: false }),
    publicBaseUrl: "https://tribe.example.test",
  };
  await createTier(deps, { name: "Gold", slug: "gold", amount: 500, currency: "eur", interval: "month" });
  await addTierAccess(
    deps,
    "gold",
    { platform: "discord", guildId: opts.guildId, roleId: opts.roleId },
    "Gold",
  );
  return deps;
}

/**
 * Stripe events some run logged as applied more than once, across every run of a fault test (a run
 * killed between its commit and its log line logs none; a second apply would log a second line).
 */
export function eventsAppliedTwice(runs: readonly BotProcess[]): string[] {
  const applied = new Map<string, number>();
  for (const r of runs)
    for (const e of r.events())
      if (e.event === "stripe.event.applied") {
        const id = String(e.stripeEventId);
        applied.set(id, (applied.get(id) ?? 0) + 1);
      }
  return [...applied].filter(([, n]) => n > 1).map(([id]) => id);
}

/**
 * The Discord users among `userIds` not given access exactly once: each needs at least one grant in
 * the ledger and at most one that changed Discord (a run redoing a grant a killed run did, or a
 * reconciliation wishing it again while the first is in flight, is answered "already in that state").
 */
export async function notGrantedOnce(db: Db, userIds: readonly string[]): Promise<string[]> {
  const identities = await db.identity.findMany({ where: { platform: "discord" } });
  const memberOf = new Map(identities.map((i) => [i.platformUserId, i.memberId]));
  const grants = new Map<string, { all: number; effective: number }>();
  for (const row of await db.memberHistory.findMany({ where: { action: "access.granted" } })) {
    const n = grants.get(row.memberId) ?? { all: 0, effective: 0 };
    n.all++;
    if (!row.reason.endsWith("(already in that state)")) n.effective++;
    grants.set(row.memberId, n);
  }
  return userIds.filter((userId) => {
    const g = grants.get(memberOf.get(userId) ?? "");
    return !(g && g.all >= 1 && g.effective <= 1);
  });
}
