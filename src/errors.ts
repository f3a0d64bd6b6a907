/**
 * Errors say who failed (after grammY's GrammyError / HttpError split):
 * - StartupError: the process cannot start because of its environment (a setting, the database,
 *   the data directory). Its message is written for the person running the bot, one problem per line,
 *   and the process exits non-zero without a stack trace.
 * - DomainError: a user asked for something the rules refuse (unknown tier, used link code, ...).
 *   Carries a stable code that the platform adapters translate into a private message.
 * - PlatformError: Discord, Telegram or Stripe answered and refused (keeps the method and status).
 * - NetworkError: the request never got an answer; safe to retry.
 */
import type { ErrorArgs, ErrorCode } from "./i18n/index.ts";

export class StartupError extends Error {
  override readonly name = "StartupError";
  constructor(
    readonly code: StartupErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export type StartupErrorCode =
  | "config_invalid"
  | "data_dir_unwritable"
  | "data_dir_locked"
  | "database_unreachable"
  | "migration_failed"
  | "migration_pending_failed"
  | "platform_token_rejected";

/**
 * `code` is a key of the message catalogue (src/i18n: `error.<code>`, in English and French), and
 * the parameters are the ones its text takes: a code nobody can read, or a refusal missing what its
 * text names, fails to compile.
 */
export class DomainError<C extends ErrorCode = ErrorCode> extends Error {
  override readonly name = "DomainError";
  /** The parameters of the message (`{ tier: "gold" }`); empty for a fixed text. */
  readonly params: Readonly<Record<string, unknown>>;
  constructor(
    readonly code: C,
    ...params: ErrorArgs<C>
  ) {
    super(code);
    this.params = (params[0] as Record<string, unknown> | undefined) ?? {};
  }
}

export class PlatformError extends Error {
  override readonly name = "PlatformError";
  constructor(
    readonly platform: "discord" | "telegram" | "stripe",
    readonly method: string,
    readonly status: number,
    message: string,
    options?: { cause?: unknown; code?: string | number | undefined },
  ) {
    super(message, options);
    this.code = options?.code;
  }
  /** The platform's own error code (Stripe's `resource_missing`, Discord's 10011...). */
  readonly code: string | number | undefined;
}

export class NetworkError extends Error {
  override readonly name = "NetworkError";
  constructor(
    readonly platform: "discord" | "telegram" | "stripe" | "database",
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
