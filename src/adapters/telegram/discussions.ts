import type { DiscussionOpener } from "../../app/discussions.ts";
import { clipLine } from "../../core/fitLines.ts";
import { type Locale, t } from "../../i18n/index.ts";
import type { Logger } from "../../log.ts";
import { jobFailure } from "./apiErrors.ts";
import type { TelegramPortDeps } from "./deps.ts";
import { localeOfUser } from "./messaging.ts";

/** The longest idea title the message quotes, in characters. */
const TITLE_MAX = 200;

/**
 * Discussion places on Telegram (src/app/discussions.ts). A poll's place is its message in each
 * chat (recorded with the post, src/adapters/telegram/pollPublish.ts): replies to it are the
 * discussion. A shortlisted idea gets one short message of the bot, in the creator's language, in
 * each chat where the roadmap message is on; replies to it are the discussion. Plain text (no parse
 * mode): the fan's title is shown as typed, never read as markup. The chat's public @username, when
 * the sent message shows one, makes the link a public one.
 */
export function createTelegramDiscussions(
  deps: Pick<TelegramPortDeps, "api" | "services" | "config">,
  log: Logger,
): DiscussionOpener {
  const { api } = deps;

  async function creatorLocale(): Promise<Locale> {
    const settings = await deps.services.app.getSettings();
    const creator = [...deps.config.creatorIds, ...settings.telegramCreatorIds][0];
    return creator ? localeOfUser(deps.services.app, creator) : "en";
  }

  return {
    platform: "telegram",
    async ideaPlace(idea, chatId) {
      try {
        const locale = await creatorLocale();
        const title = clipLine(idea.title, TITLE_MAX);
        const sent = await api.sendMessage(Number(chatId), t(locale, "telegram.discussion.idea", { title }), {
          link_preview_options: { is_disabled: true },
        });
        const username = "username" in sent.chat ? (sent.chat.username ?? null) : null;
        return {
          outcome: "opened",
          place: { platform: "telegram", chatId, threadId: String(sent.message_id), username },
        };
      } catch (err) {
        const r = jobFailure(err, `discussion message of idea ${idea.id} in ${chatId}`);
        if (r.outcome === "retry") return r;
        const error = r.outcome === "dead" ? r.error : `discussion message in ${chatId}`;
        log.warn(
          { event: "telegram.discussion.refused", ideaId: idea.id, chatId, error },
          `cannot post the discussion message of a shortlisted idea in ${chatId}: the bot must be able to post there`,
        );
        return { outcome: "refused", error };
      }
    },
  };
}
