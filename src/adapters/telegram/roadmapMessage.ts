import { GrammyError } from "grammy";
import { type RoadmapPoster, roadmapTextHash, roadmapUrl } from "../../app/roadmapMessage.ts";
import { formatDay, type Locale, roadmapMessage } from "../../i18n/index.ts";
import type { Logger } from "../../log.ts";
import { jobFailure } from "./apiErrors.ts";
import { TELEGRAM_TIME_ZONE } from "./context.ts";
import type { TelegramPortDeps } from "./deps.ts";
import { localeOfUser } from "./messaging.ts";

/** Telegram's longest message. */
const MAX_CHARS = 4096;

/**
 * The roadmap message on Telegram (src/app/roadmapMessage.ts): in each chat bound to a tier, sent
 * once without a notification and pinned (silently), then edited in place, in the creator's
 * language. Plain text (no parse mode): a fan's title is shown as typed, never read as markup. A
 * chat where the bot may not pin keeps the message unpinned; the creators are told what right to
 * give, and the next refresh pins it once they did. A message someone deleted is sent anew. An item
 * discussed in this chat (src/app/discussions.ts) ends with a 💬 that links to its reply thread: a
 * text_link entity, so the text stays plain and nothing a fan typed is ever read as markup.
 */
export function createTelegramRoadmap(
  deps: Pick<TelegramPortDeps, "api" | "services" | "config" | "alerts">,
  log: Logger,
): RoadmapPoster {
  const { api } = deps;
  const url = roadmapUrl(deps.services.publicBaseUrl);

  /** The language of the creator (the first one known), as polls the creator opens use it. */
  async function creatorLocale(): Promise<Locale> {
    const settings = await deps.services.app.getSettings();
    const creator = [...deps.config.creatorIds, ...settings.telegramCreatorIds][0];
    return creator ? localeOfUser(deps.services.app, creator) : "en";
  }

  /** Pins the message silently; false (and the creators told) when the bot may not pin there. */
  async function pin(chatId: string, messageId: number): Promise<boolean> {
    try {
      await api.pinChatMessage(Number(chatId), messageId, { disable_notification: true });
      return true;
    } catch (err) {
      log.warn(
        { event: "roadmap.message.pin_failed", platform: "telegram", chatId, messageId, err },
        "cannot pin the roadmap message: the bot needs the right to pin messages in this chat",
      );
      const chat = await api
        .getChat(Number(chatId))
        .then((c) => ("title" in c && c.title ? c.title : chatId))
        .catch(() => chatId);
      await deps.alerts.send("telegram.alert.roadmap_not_pinned", { chat }, `roadmap-pin:${chatId}`);
      return false;
    }
  }

  return {
    platform: "telegram",
    async show(chatId, digest, shown) {
      try {
        const locale = await creatorLocale();
        const { text, links } = roadmapMessage(locale, digest, {
          max: MAX_CHARS,
          quote: (s) => s,
          date: (d) => formatDay(locale, d, TELEGRAM_TIME_ZONE),
          url,
          // This chat's own reply thread of the item (each chat has its root message).
          discuss: (places) => {
            const here = places.find((l) => l.platform === "telegram" && l.chatId === chatId);
            return here ? { text: "💬", url: here.url } : null;
          },
        });
        const entities = links.map((l) => ({
          type: "text_link" as const,
          offset: l.offset,
          length: l.length,
          url: l.url,
        }));
        // A link added or changed changes what is shown even when the text is the same.
        const textHash = roadmapTextHash(entities.length ? `${text}\n${JSON.stringify(entities)}` : text);
        if (shown?.textHash === textHash && shown.pinned) return { outcome: "unchanged" };
        if (shown) {
          let there = true;
          if (shown.textHash !== textHash) {
            try {
              await api.editMessageText(Number(chatId), Number(shown.messageId), text, {
                ...(entities.length ? { entities } : {}),
                link_preview_options: { is_disabled: true },
              });
            } catch (err) {
              if (!(err instanceof GrammyError)) throw err;
              if (/message to edit not found/i.test(err.description)) there = false;
              else if (!/message is not modified/i.test(err.description)) throw err;
            }
          }
          if (there) {
            // Not pinned the last time (no right then): tried again.
            const pinned = shown.pinned || (await pin(chatId, Number(shown.messageId)));
            // Same text, still no right to pin: nothing changed.
            if (shown.textHash === textHash && !pinned) return { outcome: "unchanged" };
            return { outcome: "edited", messageId: shown.messageId, textHash, pinned };
          }
          log.info(
            { event: "roadmap.message.gone", platform: "telegram", chatId, messageId: shown.messageId },
            "the roadmap message was deleted: sending a new one",
          );
        }
        const sent = await api.sendMessage(Number(chatId), text, {
          ...(entities.length ? { entities } : {}),
          disable_notification: true,
          link_preview_options: { is_disabled: true },
        });
        const pinned = await pin(chatId, sent.message_id);
        return { outcome: "sent", messageId: String(sent.message_id), textHash, pinned };
      } catch (err) {
        const r = jobFailure(err, `roadmap message in ${chatId}`);
        return r.outcome === "done" ? { outcome: "dead", error: `roadmap message in ${chatId}` } : r;
      }
    },
  };
}
