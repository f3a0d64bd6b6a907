import type { Context, MiddlewareFn } from "grammy";
import { type Locale, localeOf, type Translate, translator } from "../../i18n/index.ts";

/**
 * The reader's language, set once per update from the sender's Telegram language (grammY context
 * flavour): handlers read `ctx.locale` and say things with `ctx.t(key, params)`.
 */
export interface LocaleFlavor {
  /** The sender's language (English when Telegram does not say, or for a language tribegate lacks). */
  locale: Locale;
  /** The catalogue's text in `locale` (Telegram's own keys are `telegram.*`). */
  t: Translate;
}

/** The context every Telegram handler of tribegate gets. */
export type TgContext = Context & LocaleFlavor;

/** Installed first on the bot, so every later middleware and handler has `ctx.locale` and `ctx.t`. */
export function localeMiddleware(): MiddlewareFn<TgContext> {
  return (ctx, next) => {
    ctx.locale = localeOf(ctx.from?.language_code);
    ctx.t = translator(ctx.locale);
    return next();
  };
}

/** Telegram shows no time zone of its own: dates say theirs. No setting yet, so UTC (named in the text). */
export const TELEGRAM_TIME_ZONE = "UTC";
