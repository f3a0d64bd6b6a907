import { type DestinationStream, type Logger, type LoggerOptions, pino } from "pino";

export type { Logger } from "pino";

/**
 * Paths that must never reach a log line. pino replaces them with "[redacted]".
 * Every log call carries an `event` field: a stable, dotted name that operators grep for.
 */
export const REDACT_PATHS = [
  "token",
  "*.token",
  "*.*.token",
  "authorization",
  "*.authorization",
  "headers.authorization",
  "headers.cookie",
  'headers["stripe-signature"]',
  'headers["x-telegram-bot-api-secret-token"]',
  "signature",
  "*.signature",
  "secret",
  "*.secret",
  "password",
  "*.password",
  "email",
  "*.email",
  "*.*.email",
  "databaseUrl",
  "*.databaseUrl",
  "config.discordToken",
  "config.telegramToken",
  "config.stripeSecretKey",
  "config.stripeWebhookSecret",
];

export interface LoggerSettings {
  level: string;
  /** Human-readable output (pino-pretty). Defaults to true when stdout is a terminal. */
  pretty?: boolean;
  /** Tests inject a stream to read the JSON lines back. */
  destination?: DestinationStream;
  /** Secret values (tokens, keys) scrubbed from every line, even inside error messages. */
  secrets?: readonly string[];
}

export function createLogger(settings: LoggerSettings): Logger {
  const options: LoggerOptions = {
    level: settings.level,
    base: { service: "tribegate" },
    redact: { paths: REDACT_PATHS, censor: "[redacted]" },
    serializers: { err: serializeError },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  const secrets = (settings.secrets ?? []).filter((x) => x.length >= 6);
  // Every line, whatever its fields: secrets and access-bearing URLs never reach the output.
  // (discord.js's errors carry the URL they called, with the interaction's token in it.)
  options.hooks = {
    streamWrite: (line) => scrubInteractionTokens(scrubAccessUrls(scrubSecrets(line, secrets))),
  };
  if (settings.destination) return pino(options, settings.destination);
  const pretty = settings.pretty ?? Boolean(process.stdout.isTTY);
  if (pretty) {
    return pino({
      ...options,
      transport: { target: "pino-pretty", options: { colorize: true, translateTime: "SYS:HH:MM:ss.l" } },
    });
  }
  return pino(options);
}

/** Redacts secrets that appear inside free text (error messages, URLs). */
export function scrubSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 6) out = out.split(secret).join("[redacted]");
  }
  // postgres://user:password@host -> postgres://user:[redacted]@host
  return out.replace(/(\w+:\/\/[^:/\s]+:)[^@\s]+@/g, "$1[redacted]@");
}

/**
 * URLs that open a door for whoever holds them: a Stripe Checkout or billing portal session (pay
 * as, or manage the membership of, that fan) and a Telegram invite link (join the paid group).
 * They reach fans in private messages only; a log line that would carry one (a failed send whose
 * error holds the message, say) carries "[redacted url]" instead.
 */
const ACCESS_URL =
  /\bhttps?:\/\/(?:checkout\.stripe\.com|billing\.stripe\.com|t\.me|telegram\.me|telegram\.dog)\/[^\s"'<>\\]*|\bhttps?:\/\/[^\s"'<>\\]*\/(?:cs_(?:test|live)_|bps_|p\/session\/)[^\s"'<>\\]*/g;

export function scrubAccessUrls(text: string): string {
  return text.replace(ACCESS_URL, "[redacted url]");
}

/** An interaction's token (a credential for 15 minutes) in a Discord API path. */
const INTERACTION_TOKEN = /(\/(?:webhooks|interactions)\/\d+\/)[^/?#\s"']+/g;

export function scrubInteractionTokens(text: string): string {
  return text.replace(INTERACTION_TOKEN, "$1[redacted]");
}

/**
 * pino's error serializer, without the request an error carries (grammY's `payload`, discord.js's
 * `requestBody`): those hold the message that failed to send, i.e. a fan's links and texts.
 */
function serializeError(err: unknown): unknown {
  const out = pino.stdSerializers.err(err as Error) as unknown as Record<string, unknown>;
  if (out && typeof out === "object") {
    for (const key of ["payload", "requestBody", "rawBody"]) {
      if (key in out) out[key] = "[redacted]";
    }
  }
  return out;
}
