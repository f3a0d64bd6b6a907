import type { Api } from "grammy";
import type { InlineKeyboardMarkup } from "grammy/types";
import type { PortUseCases } from "../../app/useCases.ts";
import { type Locale, localeOf } from "../../i18n/index.ts";
import { isUnreachableUser } from "./apiErrors.ts";

/**
 * A private message that may not get through: Telegram lets a bot write only to users who started
 * it (or who have a pending join request), and never to one who blocked it. For a membership bot
 * that is an expected state of the world, not an error.
 */
export async function sendPrivate(
  api: Api,
  userId: string | number,
  text: string,
  keyboard?: InlineKeyboardMarkup,
): Promise<"sent" | "unreachable"> {
  try {
    await api.sendMessage(Number(userId), text, {
      link_preview_options: { is_disabled: true },
      ...(keyboard ? { reply_markup: keyboard } : {}),
    });
    return "sent";
  } catch (err) {
    if (isUnreachableUser(err)) return "unreachable";
    throw err;
  }
}

/** The language a Telegram user last used with the bot (stored on their identity). */
export async function localeOfUser(app: Pick<PortUseCases, "storedLocale">, userId: string): Promise<Locale> {
  return localeOf(await app.storedLocale("telegram", userId));
}
