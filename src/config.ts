import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseEnv } from "node:util";
import { z } from "zod";
import { StartupError } from "./errors.ts";

/**
 * Every setting, read once at start-up from the environment and an optional `.env` file
 * (the environment wins). The README's "Settings" table and `.env.example` document each one;
 * keep the three in step.
 */

const SNOWFLAKE = /^\d{17,20}$/;
const TELEGRAM_TOKEN = /^\d+:[A-Za-z0-9_-]{20,}$/;

const optionalText = z
  .string()
  .trim()
  .transform((v) => (v === "" ? undefined : v))
  .optional();

function url(what: string) {
  return z
    .string()
    .trim()
    .refine((v) => {
      try {
        const u = new URL(v);
        return u.protocol === "http:" || u.protocol === "https:";
      } catch {
        return false;
      }
    }, `must be an http(s) URL (${what})`)
    .transform((v) => v.replace(/\/+$/, ""));
}

function integer(min: number, max: number, what: string) {
  return z
    .string()
    .trim()
    .regex(/^\d+$/, `must be a whole number (${what})`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `must be between ${min} and ${max} (${what})`);
}

/** The raw environment, variable by variable. Messages say what to put there. */
const EnvSchema = z.object({
  DISCORD_TOKEN: optionalText,
  DISCORD_APPLICATION_ID: optionalText.refine(
    (v) => v === undefined || SNOWFLAKE.test(v),
    "must be the numeric application id from the Discord developer portal (General Information → Application ID)",
  ),
  DISCORD_API_URL: url("the Discord REST API root, e.g. https://discord.com/api").default(
    "https://discord.com/api",
  ),
  DISCORD_CLIENT_SECRET: optionalText.refine(
    (v) => v === undefined || /^[A-Za-z0-9_-]{16,128}$/.test(v),
    "must be the application's client secret (developer portal → OAuth2 → Client Secret → Reset Secret), or unset to let fans join from the page with an invite and /join",
  ),
  DISCORD_GUILD_IDS: optionalText.refine(
    (v) => v === undefined || /^\d{17,20}(\s*,\s*\d{17,20})*$/.test(v),
    "must be your server ids separated by commas, e.g. 123456789012345678 (Discord: User Settings → Advanced → Developer Mode, then right-click the server → Copy Server ID), or unset to bind servers with /tribe setup",
  ),
  DISCORD_LEAVE_OTHER_SERVERS: z
    .enum(["true", "false"], {
      message: 'must be "true" (default: leave servers that are not home servers) or "false" (stay, silent)',
    })
    .default("true"),
  TELEGRAM_BOT_TOKEN: optionalText.refine(
    (v) => v === undefined || TELEGRAM_TOKEN.test(v),
    "must be the token @BotFather gave you, like 123456789:AAH...",
  ),
  TELEGRAM_API_URL: url(
    "the Telegram Bot API root, e.g. https://api.telegram.org or your self-hosted Bot API server",
  ).default("https://api.telegram.org"),
  TELEGRAM_MODE: z
    .enum(["polling", "webhook"], { message: 'must be "polling" (default) or "webhook"' })
    .default("polling"),
  TELEGRAM_WEBHOOK_SECRET: optionalText.refine(
    (v) => v === undefined || /^[A-Za-z0-9_-]{16,256}$/.test(v),
    "must be 16 to 256 characters of A-Z, a-z, 0-9, _ or - (Telegram's secret_token rules)",
  ),
  TELEGRAM_CREATOR_IDS: optionalText.refine(
    (v) => v === undefined || /^\d{1,20}(\s*,\s*\d{1,20})*$/.test(v),
    "must be numeric Telegram user ids separated by commas, e.g. 12345678,87654321 (ask @userinfobot for yours)",
  ),
  STRIPE_SECRET_KEY: optionalText.refine(
    (v) => v === undefined || /^(sk|rk)_(test|live)_[A-Za-z0-9]+$/.test(v),
    "must be a Stripe secret or restricted key (sk_live_…, sk_test_…, rk_…) from Dashboard → Developers → API keys",
  ),
  STRIPE_WEBHOOK_SECRET: optionalText.refine(
    (v) => v === undefined || /^whsec_[A-Za-z0-9]+$/.test(v),
    "must be the endpoint's signing secret (whsec_…) from Dashboard → Developers → Webhooks",
  ),
  STRIPE_API_URL: url("the Stripe API root, e.g. https://api.stripe.com").default("https://api.stripe.com"),
  STRIPE_REQUESTS_PER_SECOND: optionalText.pipe(
    integer(
      1,
      10_000,
      "Stripe requests per second the bot may make, below your account's limit; unset: 20 with a test key, 80 with a live key",
    ).optional(),
  ),
  PUBLIC_BASE_URL: optionalText.pipe(
    url("the address where Stripe and fans reach this bot, e.g. https://tribe.example.com").optional(),
  ),
  HOST: z.string().trim().min(1).default("0.0.0.0"),
  PORT: integer(0, 65535, "the HTTP port for webhooks and health checks, e.g. 3000").default(3000),
  DATABASE_URL: optionalText.refine(
    (v) => v === undefined || /^postgres(ql)?:\/\//.test(v),
    "must be a PostgreSQL URL like postgresql://user:password@host:5432/tribegate, or unset to use the embedded database",
  ),
  DATA_DIR: z.string().trim().min(1).default("./data"),
  LOG_LEVEL: z
    .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], {
      message: "must be one of fatal, error, warn, info, debug, trace, silent",
    })
    .default("info"),
  LOG_FORMAT: z
    .enum(["auto", "json", "pretty"], { message: 'must be "auto" (default), "json" or "pretty"' })
    .default("auto"),
  SHUTDOWN_TIMEOUT_MS: integer(100, 600_000, "milliseconds to finish in-flight work on SIGTERM").default(
    10_000,
  ),
});

type Env = z.infer<typeof EnvSchema>;

export interface DiscordConfig {
  token: string;
  applicationId: string;
  apiUrl: string;
  /**
   * The servers the bot serves (DISCORD_GUILD_IDS). Empty: the servers the application's owner bound
   * with /tribe setup.
   */
  homeGuildIds: readonly string[];
  /** Leave servers that are not home servers (else stay in them, refusing every command). */
  leaveOtherServers: boolean;
  /**
   * DISCORD_CLIENT_SECRET: "Join with Discord" on the tribe's page signs fans in with OAuth2 and adds
   * them to the server once paid. Unset: the page offers an invite and /join instead.
   */
  clientSecret: string | undefined;
}

export interface TelegramConfig {
  token: string;
  apiUrl: string;
  mode: "polling" | "webhook";
  webhookSecret: string | undefined;
  /** Telegram user ids allowed to use the creator commands (with settings.telegramManagerIds). */
  creatorIds: readonly string[];
  /**
   * Not settings (tests shorten them): how long a Bot API call may go unanswered before it counts as
   * a network failure (default 30 s), and how long getUpdates long-polls (default 30 s).
   */
  requestTimeoutSeconds?: number;
  pollTimeoutSeconds?: number;
}

export interface StripeConfig {
  secretKey: string;
  /**
   * STRIPE_WEBHOOK_SECRET. Unset: the signing secret `npm run doctor -- --fix` stored when it created
   * the endpoint (start-up refuses when there is neither, see bootstrap.ts).
   */
  webhookSecret: string | undefined;
  apiUrl: string;
  /**
   * STRIPE_REQUESTS_PER_SECOND: the process's Stripe budget. Unset: 80 % of Stripe's limit for the
   * key's mode (20/s test, 80/s live; see adapters/stripe/budget.ts).
   */
  requestsPerSecond?: number | undefined;
}

export interface Config {
  discord: DiscordConfig | undefined;
  telegram: TelegramConfig | undefined;
  stripe: StripeConfig;
  publicBaseUrl: string;
  http: { host: string; port: number };
  databaseUrl: string | undefined;
  dataDir: string;
  log: { level: string; format: "auto" | "json" | "pretty" };
  shutdownTimeoutMs: number;
}

export interface RawEnvironment {
  values: Record<string, string | undefined>;
  /** Names set in the .env file: a name there that tribegate does not know is a typo to report. */
  fileKeys: string[];
}

/** Reads `.env` (or ENV_FILE) if present, under the environment. The environment always wins. */
export function readEnvironment(
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): RawEnvironment {
  const file = env.ENV_FILE ? path.resolve(cwd, env.ENV_FILE) : path.join(cwd, ".env");
  if (env.ENV_FILE && !existsSync(file)) {
    throw new StartupError(
      "config_invalid",
      `tribegate cannot start:\n  - ENV_FILE: ${file} does not exist; point it at your settings file or unset it to use ./.env`,
    );
  }
  const fromFile = existsSync(file) ? parseEnv(readFileSync(file, "utf8")) : {};
  return { values: { ...fromFile, ...env }, fileKeys: Object.keys(fromFile) };
}

export const SETTING_NAMES: readonly string[] = [...Object.keys(EnvSchema.shape), "ENV_FILE"];

function unknownSettings(fileKeys: readonly string[]): string[] {
  return fileKeys
    .filter((k) => !SETTING_NAMES.includes(k))
    .map((k) => {
      const near = SETTING_NAMES.find((name) => editDistance(name, k) <= 2);
      return `${k}: is not a tribegate setting${near ? ` (did you mean ${near}?)` : ""}; remove it from the .env file`;
    });
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

/**
 * Validates the environment. Throws a StartupError whose message has one line per problem,
 * each naming the variable and what to put there.
 */
export function loadConfig(raw: RawEnvironment): Config {
  const parsed = EnvSchema.safeParse(raw.values);
  const problems: string[] = unknownSettings(raw.fileKeys);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0] ?? "environment");
      problems.push(`${name}: ${issue.code === "invalid_type" ? "is missing" : issue.message}`);
    }
  }
  const env = parsed.success ? parsed.data : undefined;
  if (env) problems.push(...crossChecks(env));
  if (problems.length > 0 || !env) {
    throw new StartupError(
      "config_invalid",
      [
        "tribegate cannot start: the configuration is incomplete or invalid.",
        ...problems.map((p) => `  - ${p}`),
        "Set these in the environment or in a .env file (see .env.example and the README's Settings table).",
      ].join("\n"),
    );
  }
  return toConfig(env);
}

function crossChecks(env: Env): string[] {
  const problems: string[] = [];
  if (env.DISCORD_TOKEN && !env.DISCORD_APPLICATION_ID) {
    problems.push(
      "DISCORD_APPLICATION_ID: is missing; Discord needs it with DISCORD_TOKEN (developer portal → General Information → Application ID)",
    );
  }
  if (env.DISCORD_CLIENT_SECRET && !env.DISCORD_TOKEN) {
    problems.push(
      "DISCORD_CLIENT_SECRET: is set without DISCORD_TOKEN; Discord sign-in needs the bot too (or unset it)",
    );
  }
  if (env.DISCORD_APPLICATION_ID && !env.DISCORD_TOKEN) {
    problems.push(
      "DISCORD_TOKEN: is missing; Discord needs it with DISCORD_APPLICATION_ID (developer portal → Bot → Reset Token)",
    );
  }
  if (!env.DISCORD_TOKEN && !env.DISCORD_APPLICATION_ID && !env.TELEGRAM_BOT_TOKEN) {
    problems.push(
      "DISCORD_TOKEN + DISCORD_APPLICATION_ID or TELEGRAM_BOT_TOKEN: configure at least one platform (Discord: a bot from https://discord.com/developers/applications; Telegram: a bot from @BotFather)",
    );
  }
  if (!env.STRIPE_SECRET_KEY) {
    problems.push(
      "STRIPE_SECRET_KEY: is missing; put your Stripe secret key (sk_test_… while you try things out)",
    );
  }
  if (!env.PUBLIC_BASE_URL) {
    problems.push(
      "PUBLIC_BASE_URL: is missing; put the https address where Stripe and your fans reach this bot, e.g. https://tribe.example.com",
    );
  }
  if (env.TELEGRAM_MODE === "webhook" && env.TELEGRAM_BOT_TOKEN && !env.TELEGRAM_WEBHOOK_SECRET) {
    problems.push(
      "TELEGRAM_WEBHOOK_SECRET: is missing; webhook mode needs a secret so only Telegram can call <PUBLIC_BASE_URL>/telegram/webhook",
    );
  }
  return problems;
}

function toConfig(env: Env): Config {
  return {
    discord:
      env.DISCORD_TOKEN && env.DISCORD_APPLICATION_ID
        ? {
            token: env.DISCORD_TOKEN,
            applicationId: env.DISCORD_APPLICATION_ID,
            apiUrl: env.DISCORD_API_URL,
            homeGuildIds: splitIds(env.DISCORD_GUILD_IDS),
            leaveOtherServers: env.DISCORD_LEAVE_OTHER_SERVERS === "true",
            clientSecret: env.DISCORD_CLIENT_SECRET,
          }
        : undefined,
    telegram: env.TELEGRAM_BOT_TOKEN
      ? {
          token: env.TELEGRAM_BOT_TOKEN,
          apiUrl: env.TELEGRAM_API_URL,
          mode: env.TELEGRAM_MODE,
          webhookSecret: env.TELEGRAM_WEBHOOK_SECRET,
          creatorIds: splitIds(env.TELEGRAM_CREATOR_IDS),
        }
      : undefined,
    stripe: {
      secretKey: env.STRIPE_SECRET_KEY ?? "",
      webhookSecret: env.STRIPE_WEBHOOK_SECRET,
      apiUrl: env.STRIPE_API_URL,
      requestsPerSecond: env.STRIPE_REQUESTS_PER_SECOND,
    },
    publicBaseUrl: env.PUBLIC_BASE_URL ?? "",
    http: { host: env.HOST, port: env.PORT },
    databaseUrl: env.DATABASE_URL,
    dataDir: path.resolve(env.DATA_DIR),
    log: { level: env.LOG_LEVEL, format: env.LOG_FORMAT },
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
  };
}

function splitIds(list: string | undefined): string[] {
  return [
    ...new Set(
      (list ?? "")
        .split(",")
        .map((id) => id.trim())
        .filter(Boolean),
    ),
  ];
}

/** Values that must never appear in a log line, even inside free text. */
export function secretsOf(config: Config): string[] {
  return [
    config.discord?.token,
    config.discord?.clientSecret,
    config.telegram?.token,
    config.telegram?.webhookSecret,
    config.stripe.secretKey,
    config.stripe.webhookSecret,
  ].filter((s): s is string => Boolean(s));
}
