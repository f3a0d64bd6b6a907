import type { FeedPoster } from "../../app/feed.ts";
import { feedText, formatDay } from "../../i18n/index.ts";
import type { Logger } from "../../log.ts";
import { jobFailure } from "./apiErrors.ts";
import { TELEGRAM_TIME_ZONE } from "./context.ts";
import type { TelegramPortDeps } from "./deps.ts";
import { localeOfUser, sendPrivate } from "./messaging.ts";

/** Telegram's longest message. */
const MAX_CHARS = 4096;

/**
 * The creator's feed on Telegram (src/app/feed.ts): one message per burst in the private chat of
 * each creator and manager, in their language. Plain text (no parse mode): a fan's name is shown as
 * typed, never read as markup or a link.
 */
export function createTelegramFeed(
  deps: Pick<TelegramPortDeps, "api" | "services" | "config">,
  log: Logger,
): FeedPoster {
  return {
    platform: "telegram",
    destinations: (settings) => [
      ...new Set([...deps.config.creatorIds, ...settings.telegramCreatorIds, ...settings.telegramManagerIds]),
    ],
    async post(userId, lines, more) {
      try {
        const locale = await localeOfUser(deps.services.app, userId);
        const date = (d: Date) => formatDay(locale, d, TELEGRAM_TIME_ZONE);
        let kept = lines.length;
        let text = feedText(locale, lines, more, date);
        while (text.length > MAX_CHARS && kept > 1) {
          kept--;
          text = feedText(locale, lines.slice(0, kept), more + lines.length - kept, date);
        }
        const r = await sendPrivate(deps.api, userId, text.slice(0, MAX_CHARS));
        if (r === "unreachable") {
          log.warn(
            { event: "telegram.feed_unreachable", creatorId: userId },
            "cannot send the feed to a creator: they must send /start to the bot once",
          );
          return { outcome: "done", note: "creator unreachable (never started the bot)" };
        }
        return { outcome: "done", note: `sent to ${userId}` };
      } catch (err) {
        return jobFailure(err, `feed to ${userId}`);
      }
    },
  };
}
