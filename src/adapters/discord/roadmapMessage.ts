import { type Client, escapeMarkdown, RESTJSONErrorCodes, time } from "discord.js";
import { type RoadmapPoster, roadmapTextHash, roadmapUrl } from "../../app/roadmapMessage.ts";
import { localeOf, roadmapMessageText } from "../../i18n/index.ts";
import type { Logger } from "../../log.ts";
import { classifyDiscordError, postProblemOf } from "./discordErrors.ts";

/** Discord's longest message. */
const MAX_CHARS = 2000;

/** A fan's text as plain text in Markdown: no bold, no link, no heading, no list it did not mean. */
const quote = (text: string): string =>
  escapeMarkdown(text, { heading: true, bulletedList: true, numberedList: true, maskedLink: true });

/**
 * The roadmap message on Discord (src/app/roadmapMessage.ts): one message in the roadmap channel
 * set with /tribe settings, edited in place, in the server's language. Over REST, so a standby
 * process keeps it up to date as well as the leader. Titles are the fans' own: Markdown escaped, and
 * no mention may ping (allowed_mentions: none), on the first post as on every edit. An item with a
 * discussion thread (src/app/discussions.ts) ends with a 💬 link to it.
 */
export function createDiscordRoadmap(opts: {
  client: Client;
  log: Logger;
  publicBaseUrl: string;
}): RoadmapPoster {
  const url = roadmapUrl(opts.publicBaseUrl);
  return {
    platform: "discord",
    async show(channelId, digest, shown) {
      try {
        const channel = await opts.client.channels.fetch(channelId);
        if (!channel?.isSendable())
          return {
            outcome: "dead",
            error: `roadmap channel ${channelId} is not a channel the bot can post in`,
          };
        const locale = localeOf((channel as { guild?: { preferredLocale?: string } }).guild?.preferredLocale);
        const content = roadmapMessageText(locale, digest, {
          max: MAX_CHARS,
          quote,
          date: (d) => time(d, "D"),
          // Between <>: the link shows no preview under the message.
          url: url ? `<${url}>` : null,
          // The item's thread (the first one: a poll posted in two channels has two). The link is
          // built from ids alone, never from a fan's text.
          discuss: (links) => {
            const thread = links.find((l) => l.platform === "discord");
            return thread ? { text: `[💬](<${thread.url}>)`, url: thread.url } : null;
          },
        });
        const textHash = roadmapTextHash(content);
        if (shown?.textHash === textHash) return { outcome: "unchanged" };
        if (shown) {
          try {
            await channel.messages.edit(shown.messageId, { content, allowedMentions: { parse: [] } });
            return { outcome: "edited", messageId: shown.messageId, textHash, pinned: false };
          } catch (err) {
            // Someone deleted it: a new one takes its place.
            const failure = classifyDiscordError(err);
            if (failure.kind !== "refused" || failure.code !== RESTJSONErrorCodes.UnknownMessage) throw err;
            opts.log.info(
              {
                event: "roadmap.message.gone",
                platform: "discord",
                chatId: channelId,
                messageId: shown.messageId,
              },
              "the roadmap message was deleted: posting a new one",
            );
          }
        }
        const sent = await channel.send({ content, allowedMentions: { parse: [] } });
        return { outcome: "sent", messageId: sent.id, textHash, pinned: false };
      } catch (err) {
        const failure = classifyDiscordError(err);
        if (failure.kind === "passing")
          return {
            outcome: "retry",
            error: failure.message,
            ...(failure.retryAfterMs ? { retryAfterMs: failure.retryAfterMs } : {}),
          };
        opts.log.warn(
          {
            event: "discord.roadmap.post_failed",
            channelId,
            problem: postProblemOf(err),
            error: failure.message,
          },
          "cannot keep the roadmap message up to date: check the bot's permissions in the roadmap channel",
        );
        return { outcome: "dead", error: `roadmap channel ${channelId}: ${failure.message}` };
      }
    },
  };
}
