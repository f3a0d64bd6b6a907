import {
  botCommands,
  type CommandLocale,
  CREATOR_COMMANDS,
  FAN_COMMANDS,
  GROUP_ADMIN_COMMANDS,
} from "../../../commands/telegram.ts";
import type { TelegramDeps } from "./deps.ts";

const LOCALES: readonly CommandLocale[] = ["en", "fr"];

/**
 * The command menus, per audience and language: fans in private chats, /bind for group
 * administrators, and fan + creator commands in each creator's own private chat (BotCommandScopeChat).
 * English is the default list; French is picked by clients whose language is French.
 */
export async function registerCommandMenus(
  deps: Pick<TelegramDeps, "api" | "alerts" | "log">,
): Promise<void> {
  const { api, log } = deps;
  const creators = await deps.alerts.recipients();
  for (const locale of LOCALES) {
    const language = locale === "en" ? {} : { language_code: locale };
    await api.setMyCommands(botCommands(FAN_COMMANDS, locale), {
      scope: { type: "all_private_chats" },
      ...language,
    });
    await api.setMyCommands(botCommands(GROUP_ADMIN_COMMANDS, locale), {
      scope: { type: "all_chat_administrators" },
      ...language,
    });
    for (const id of creators) {
      try {
        await setCreatorMenu(api, Number(id), locale);
      } catch (err) {
        // Telegram knows a private chat only once the user has started the bot.
        log.warn(
          { event: "telegram.commands_scope_failed", creatorId: id, err },
          "creator commands not registered for this user yet: they must send /start to the bot once",
        );
      }
    }
  }
  log.info({ event: "telegram.commands_registered", creators: creators.length }, "command menus registered");
}

/** Fan + creator commands in one creator's private chat (its id is the user's id). */
export async function setCreatorMenu(api: TelegramDeps["api"], chatId: number, locale?: CommandLocale) {
  for (const l of locale ? [locale] : LOCALES) {
    await api.setMyCommands(botCommands([...FAN_COMMANDS, ...CREATOR_COMMANDS], l), {
      scope: { type: "chat", chat_id: chatId },
      ...(l === "en" ? {} : { language_code: l }),
    });
  }
}
