import type { NextFunction } from "grammy";
import { usageOf } from "../../../../commands/telegram.ts";
import type { TgContext } from "../context.ts";
import type { TelegramDeps } from "../deps.ts";

/**
 * TELEGRAM_CREATOR_IDS, a creator who claimed the bot with /setup (settings.telegramCreatorIds),
 * or a manager a creator added (settings.telegramManagerIds).
 */
export async function isCreator(deps: TelegramDeps, userId: number): Promise<boolean> {
  const id = String(userId);
  if (deps.config.creatorIds.includes(id)) return true;
  const settings = await deps.services.app.getSettings();
  return settings.telegramCreatorIds.includes(id) || settings.telegramManagerIds.includes(id);
}

/** A creator proper (not a manager): TELEGRAM_CREATOR_IDS, or the one who claimed the bot with /setup. */
export async function isOwner(deps: TelegramDeps, userId: number): Promise<boolean> {
  const id = String(userId);
  if (deps.config.creatorIds.includes(id)) return true;
  return (await deps.services.app.getSettings()).telegramCreatorIds.includes(id);
}

/** Lets creators through; anyone else gets a clear refusal and nothing runs. */
export function creatorOnly(deps: TelegramDeps) {
  return async (ctx: TgContext, next: NextFunction): Promise<void> => {
    if (ctx.from && (await isCreator(deps, ctx.from.id))) return next();
    deps.log.info(
      { event: "telegram.creator_refused", userId: ctx.from?.id, text: ctx.message?.text?.split(" ")[0] },
      "creator command from someone who is not a creator",
    );
    await ctx.reply(ctx.t("telegram.creator.only"));
  };
}

export function replyUsage(ctx: TgContext, command: string) {
  return ctx.reply(ctx.t("telegram.creator.usage", { usage: usageOf(command, ctx.locale) }));
}

/** The words after the command. */
export function argsOf(ctx: { match: string | RegExpMatchArray }): string[] {
  return String(ctx.match).trim().split(/\s+/).filter(Boolean);
}

export function wholeNumber(text: string | undefined): number | null {
  return text !== undefined && /^\d{1,9}$/.test(text) ? Number(text) : null;
}
