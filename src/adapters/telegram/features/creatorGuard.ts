import type { Context, NextFunction } from "grammy";
import { usageOf } from "../../../../commands/telegram.ts";
import { getSettings } from "../../../app/settings.ts";
import { localeOf } from "../../../i18n/index.ts";
import type { TelegramDeps } from "../deps.ts";
import { tr } from "../strings.ts";

/**
 * TELEGRAM_CREATOR_IDS, a creator who claimed the bot with /setup (settings.telegramCreatorIds),
 * or a manager a creator added (settings.telegramManagerIds).
 */
export async function isCreator(deps: TelegramDeps, userId: number): Promise<boolean> {
  const id = String(userId);
  if (deps.config.creatorIds.includes(id)) return true;
  const settings = await getSettings(deps.services.db);
  return settings.telegramCreatorIds.includes(id) || settings.telegramManagerIds.includes(id);
}

/** A creator proper (not a manager): TELEGRAM_CREATOR_IDS, or the one who claimed the bot with /setup. */
export async function isOwner(deps: TelegramDeps, userId: number): Promise<boolean> {
  const id = String(userId);
  if (deps.config.creatorIds.includes(id)) return true;
  return (await getSettings(deps.services.db)).telegramCreatorIds.includes(id);
}

/** Lets creators through; anyone else gets a clear refusal and nothing runs. */
export function creatorOnly(deps: TelegramDeps) {
  return async (ctx: Context, next: NextFunction): Promise<void> => {
    if (ctx.from && (await isCreator(deps, ctx.from.id))) return next();
    deps.log.info(
      { event: "telegram.creator_refused", userId: ctx.from?.id, text: ctx.message?.text?.split(" ")[0] },
      "creator command from someone who is not a creator",
    );
    await ctx.reply(tr(localeOf(ctx.from?.language_code), "creator.only"));
  };
}

export function replyUsage(ctx: Context, command: string) {
  const locale = localeOf(ctx.from?.language_code);
  return ctx.reply(tr(locale, "creator.usage", { usage: usageOf(command, locale) }));
}

/** The words after the command. */
export function argsOf(ctx: { match: string | RegExpMatchArray }): string[] {
  return String(ctx.match).trim().split(/\s+/).filter(Boolean);
}

export function wholeNumber(text: string | undefined): number | null {
  return text !== undefined && /^\d{1,9}$/.test(text) ? Number(text) : null;
}
