import { type Client, escapeMarkdown, time } from "discord.js";
import type { FeedLine, FeedPoster } from "../../app/feed.ts";
import { feedText, localeOf } from "../../i18n/index.ts";
import type { Logger } from "../../log.ts";
import { classifyDiscordError, postProblemOf } from "./discordErrors.ts";

/** Discord's longest message. */
const MAX_CHARS = 2000;

/**
 * The creator's feed on Discord: one message per burst in the channel set with /tribe settings
 * (src/app/feed.ts). Over REST, so a standby process sends it as well as the leader. The fans'
 * names are neutralised: Markdown escaped, and no mention may ping (allowed_mentions: none).
 */
export function createDiscordFeed(opts: { client: Client; log: Logger }): FeedPoster {
  return {
    platform: "discord",
    destinations: (settings) => (settings.feedDiscordChannelId ? [settings.feedDiscordChannelId] : []),
    async post(channelId, lines, more, ref) {
      try {
        const channel = await opts.client.channels.fetch(channelId);
        if (!channel?.isSendable())
          return { outcome: "dead", error: `feed channel ${channelId} is not a channel the bot can post in` };
        const locale = localeOf((channel as { guild?: { preferredLocale?: string } }).guild?.preferredLocale);
        const safe = lines.map(neutralise);
        // Lines that do not fit in one message are counted with the rest.
        let kept = safe.length;
        let content = feedText(locale, safe, more, (d) => time(d, "D"));
        while (content.length > MAX_CHARS && kept > 1) {
          kept--;
          content = feedText(locale, safe.slice(0, kept), more + safe.length - kept, (d) => time(d, "D"));
        }
        await channel.send({
          content: content.slice(0, MAX_CHARS),
          allowedMentions: { parse: [] },
          // Discord drops a second message with the same nonce in a channel for a few minutes: a
          // retry after a send whose answer was lost does not post the burst twice.
          nonce: `feed-${ref}`.slice(0, 25),
          enforceNonce: true,
        });
        return { outcome: "done", note: `posted in ${channelId}` };
      } catch (err) {
        const failure = classifyDiscordError(err);
        if (failure.kind === "passing") return { outcome: "retry", error: failure.message };
        const problem = postProblemOf(err);
        opts.log.warn(
          { event: "discord.feed.post_failed", channelId, problem, error: failure.message },
          "cannot post the creator's feed: check the bot's permissions in the feed channel",
        );
        return { outcome: "dead", error: `feed channel ${channelId}: ${failure.message}` };
      }
    },
  };
}

/** Every text a fan or a creator typed, as plain text in Markdown. */
function neutralise(line: FeedLine): FeedLine {
  const params = Object.fromEntries(
    Object.entries(line.params).map(([k, v]) => [
      k,
      typeof v === "string" && k !== "at" && k !== "endsOn" ? escapeMarkdown(v) : v,
    ]),
  );
  return { kind: line.kind, params } as FeedLine;
}
