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
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  const secrets = (settings.secrets ?? []).filter((x) => x.length >= 6);
  if (secrets.length > 0) options.hooks = { streamWrite: (line) => scrubSecrets(line, secrets) };
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
