import { Writable } from "node:stream";
import type Stripe from "stripe";
import { STRIPE_EVENTS_TASK } from "../../src/app/billing/stripeEvents.ts";
import { startTribegate, type Tribegate } from "../../src/bootstrap.ts";
import { type Config, loadConfig } from "../../src/config.ts";
import { createLogger, type Logger } from "../../src/log.ts";
import { type DiscordStandin, type DiscordStandinOptions, startDiscordStandin } from "../standins/discord.ts";
import {
  deliverWebhook,
  type StripeStandin,
  type StripeStandinOptions,
  startStripeStandin,
} from "../standins/stripe.ts";
import { startTelegramStandin, type TelegramStandin } from "../standins/telegram.ts";
import { sleep } from "../support/helpers.ts";
import { createTestDatabase, createTestDataDir } from "../support/postgres.ts";

export type Backend = "pglite" | "postgres";
export const BACKENDS: readonly Backend[] = ["pglite", "postgres"];

export const STRIPE_KEY = "sk_test_tribegate0123456789";
export const WEBHOOK_SECRET = "whsec_tribegatetestsecret0123456789";
export const DISCORD_TOKEN = "discord-test-token.abcdef.0123456789";
export const TELEGRAM_TOKEN = "123456789:AAtribegate-test-token-0123456789";

/** Collects the process's pino JSON lines, for assertions on `event` fields and redaction. */
export class LogSink extends Writable {
  readonly lines: Record<string, unknown>[] = [];
  readonly raw: string[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    for (const line of chunk.toString("utf8").split("\n")) {
      if (!line.trim()) continue;
      this.raw.push(line);
      try {
        this.lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        this.lines.push({ unparsed: line });
      }
    }
    done();
  }
  events(name: string): Record<string, unknown>[] {
    return this.lines.filter((l) => l.event === name);
  }
  async waitFor(
    name: string,
    timeoutMs = 10_000,
    predicate: (l: Record<string, unknown>) => boolean = () => true,
  ) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.lines.find((l) => l.event === name && predicate(l));
      if (found) return found;
      if (Date.now() > deadline) {
        const seen = [...new Set(this.lines.map((l) => String(l.event)))].join(", ");
        throw new Error(`log event ${name} not seen within ${timeoutMs} ms; seen: ${seen}`);
      }
      await sleep(20);
    }
  }
}

/** A clock the test moves forward (grace periods, period ends). Starts at real time. */
export class TestClock {
  #offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.#offsetMs);
  }
  advance(ms: number): void {
    this.#offsetMs += ms;
  }
}

export interface HarnessOptions {
  backend: Backend;
  discord?: boolean;
  /** Options of the Discord stand-in (rate limits, interaction window...). */
  discordOptions?: Omit<DiscordStandinOptions, "token">;
  telegram?: boolean;
  env?: Record<string, string>;
  reconcileOnStart?: boolean;
  /** Run the set-up checks in the background at start-up (default false: they add API calls). */
  doctorOnStart?: boolean;
  /**
   * With backend "postgres": use this database instead of a fresh one from createTestDatabase()
   * (e.g. on a private server the test stops and restarts). The harness does not drop it.
   */
  databaseUrl?: string;
  /** Adjusts the loaded configuration (e.g. shorter Telegram timeouts) before the bot starts. */
  configure?: (config: Config) => Config;
  /** A shorter lease for access jobs and tasks than the 10 s default (startTribegate's jobLeaseMs). */
  jobLeaseMs?: number;
  /**
   * Whether the Stripe account's customer portal settings were saved in the Dashboard (default
   * true; false models a new account, whose portal sessions fail until `doctor --fix` or the Dashboard).
   */
  stripePortalSettingsSaved?: boolean;
  /** Stripe's manners for the stand-in (latency, rate limits, webhook retries); default none. */
  stripeOptions?: Pick<StripeStandinOptions, "latency" | "rateLimits" | "webhooks">;
}

/** What the use cases take, wired to the running app (for driving it like a platform adapter would). */
export interface AppDeps {
  db: Tribegate["db"]["prisma"];
  billing: Tribegate["billing"];
  clock: TestClock;
  log: Logger;
  publicBaseUrl: string;
  onWork: () => void;
}

/** Which stand-ins a harness runs: `true` makes the matching handle non-optional in the type. */
export interface Platforms {
  discord?: boolean | undefined;
  telegram?: boolean | undefined;
}

/** The stand-in when the options asked for it (literally `true`), maybe undefined otherwise. */
type StandinIf<On, S> = [On] extends [true] ? S : S | undefined;
/** The platforms some harness options ask for. */
type PlatformsOf<O> = {
  discord: O extends { discord: infer D } ? D : undefined;
  telegram: O extends { telegram: infer T } ? T : undefined;
};

/**
 * A running bot and its stand-ins. `Harness<{ discord: true }>` (what startHarness returns for
 * `discord: true`) has `discord` set; see DiscordHarness, TelegramHarness.
 */
export interface Harness<out P extends Platforms = Platforms> {
  app: Tribegate;
  readonly deps: AppDeps;
  config: Config;
  stripe: StripeStandin;
  stripeClient: Stripe;
  discord: StandinIf<P["discord"], DiscordStandin>;
  telegram: StandinIf<P["telegram"], TelegramStandin>;
  logs: LogSink;
  clock: TestClock;
  webhookUrl: string;
  /**
   * Signs and POSTs one event to the bot, as Stripe does, then waits for the bot's worker to apply
   * what it acknowledged (see stripeSettled).
   */
  deliver(event: Stripe.Event, secret?: string): Promise<{ status: number; body: string }>;
  /** Delivers every event the Stripe stand-in recorded since the last call, in order, then waits as `deliver`. */
  deliverAll(): Promise<{ status: number; event: Stripe.Event }[]>;
  /**
   * Waits until no acknowledged Stripe event is left queued, but those whose apply failed and waits
   * for its retry (Stripe or the database failing): the webhook answers before the worker applies.
   */
  stripeSettled(timeoutMs?: number): Promise<void>;
  /** Restarts the bot on the same database (and stand-ins). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export type DiscordHarness = Harness<{ discord: true }>;
export type TelegramHarness = Harness<{ telegram: true }>;
/** Both stand-ins (the cross-platform tests). */
export type DualHarness = Harness<{ discord: true; telegram: true }>;

export async function startHarness<const O extends HarnessOptions>(
  opts: O,
): Promise<Harness<PlatformsOf<O>>> {
  const stripe = await startStripeStandin({
    secretKey: STRIPE_KEY,
    portalSettingsSaved: opts.stripePortalSettingsSaved ?? true,
    ...opts.stripeOptions,
  });
  const discord = opts.discord
    ? await startDiscordStandin({ ...opts.discordOptions, token: DISCORD_TOKEN })
    : undefined;
  const telegram = opts.telegram ? await startTelegramStandin({ token: TELEGRAM_TOKEN }) : undefined;
  const pg =
    opts.backend !== "postgres"
      ? undefined
      : opts.databaseUrl
        ? { url: opts.databaseUrl, drop: async () => {} }
        : await createTestDatabase();
  const dataDir = await createTestDataDir();
  const values: Record<string, string> = {
    STRIPE_SECRET_KEY: STRIPE_KEY,
    STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    STRIPE_API_URL: stripe.origin,
    PUBLIC_BASE_URL: "https://tribe.example.test",
    HOST: "127.0.0.1",
    PORT: "0",
    DATA_DIR: dataDir.dir,
    LOG_LEVEL: "debug",
    ...(pg ? { DATABASE_URL: pg.url } : {}),
    ...(discord
      ? { DISCORD_TOKEN, DISCORD_APPLICATION_ID: discord.applicationId, DISCORD_API_URL: discord.apiUrl }
      : {}),
    ...(telegram ? { TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN, TELEGRAM_API_URL: telegram.apiRoot } : {}),
    ...opts.env,
  };
  // A ledger-only bot (no platform) is valid for the composition root though not for `npm start`:
  // tests of the memberships ledger use it so that access jobs stay visible, unexecuted.
  const ledgerOnly = !discord && !telegram;
  const loaded = loadConfig({
    values: ledgerOnly ? { ...values, TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN } : values,
    fileKeys: [],
  });
  const base: Config = ledgerOnly ? { ...loaded, telegram: undefined } : loaded;
  const config = opts.configure ? opts.configure(base) : base;
  const logs = new LogSink();
  const clock = new TestClock();
  const log = createLogger({
    level: "debug",
    destination: logs,
    secrets: [STRIPE_KEY, WEBHOOK_SECRET, DISCORD_TOKEN, TELEGRAM_TOKEN],
  });
  const boot = () =>
    startTribegate({
      config,
      log,
      clock,
      reconcileOnStart: opts.reconcileOnStart ?? false,
      ...(opts.jobLeaseMs ? { jobLeaseMs: opts.jobLeaseMs } : {}),
      doctorOnStart: opts.doctorOnStart ?? false,
    });
  let app = await boot();
  const harness: Harness<PlatformsOf<O>> = {
    get app() {
      return app;
    },
    get deps(): AppDeps {
      return {
        db: app.db.prisma,
        billing: app.billing,
        clock,
        log,
        publicBaseUrl: config.publicBaseUrl,
        onWork: app.wake,
      };
    },
    config,
    stripe,
    stripeClient: stripe.client(),
    // Started above exactly when the options asked for them, as the type says.
    discord: discord as Harness<PlatformsOf<O>>["discord"],
    telegram: telegram as Harness<PlatformsOf<O>>["telegram"],
    logs,
    clock,
    get webhookUrl() {
      return `${app.http.url}/stripe/webhook`;
    },
    async deliver(event, secret = WEBHOOK_SECRET) {
      const res = await deliverWebhook(`${app.http.url}/stripe/webhook`, event, secret);
      await harness.stripeSettled();
      return res;
    },
    async deliverAll() {
      const results = await stripe.deliverEvents(`${app.http.url}/stripe/webhook`, WEBHOOK_SECRET);
      await harness.stripeSettled();
      return results.map((r) => ({ status: r.status, event: r.event }));
    },
    async stripeSettled(timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const db = app.db.prisma;
        if ((await db.stripeEvent.count({ where: { status: "queued" } })) === 0) return;
        const inHand = await db.task.count({
          where: {
            kind: STRIPE_EVENTS_TASK,
            OR: [{ state: "running" }, { state: "pending", runAfter: { lte: clock.now() } }],
          },
        });
        // What is left waits for a retry after a failure: the test decides when time moves on.
        if (inHand === 0) return;
        if (Date.now() > deadline)
          throw new Error(`timed out after ${timeoutMs} ms waiting for the Stripe events to be applied`);
        app.stripeEventWorker.wake();
        await sleep(10);
      }
    },
    async restart() {
      await app.stop();
      app = await boot();
    },
    async stop() {
      await app.stop();
      await Promise.allSettled([stripe.close(), discord?.close(), telegram?.close()]);
      await pg?.drop();
      await dataDir.remove();
    },
  };
  return harness;
}
