import type { AppServices } from "../../app/services.ts";
import type { TelegramConfig } from "../../config.ts";
import type { PlatformParts } from "../platform.ts";
import type { TelegramBot } from "./bot.ts";

/**
 * Plugs Telegram into the app: commands, chat binding, join requests, the access executor (invite
 * links, approvals, ban+unban), messages to fans, and the reader reconciliation uses. Called before
 * the bot starts receiving updates.
 */
export async function attachTelegram(_opts: {
  bot: TelegramBot;
  services: AppServices;
  config: TelegramConfig;
}): Promise<PlatformParts> {
  return {};
}
