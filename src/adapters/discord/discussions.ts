import {
  type APIThreadChannel,
  ChannelType,
  type Client,
  RESTJSONErrorCodes,
  Routes,
  ThreadAutoArchiveDuration,
} from "discord.js";
import type { DiscussionOpener, DiscussionOpenResult } from "../../app/discussions.ts";
import { threadName } from "../../core/discussion.ts";
import type { Logger } from "../../log.ts";
import { Code, classifyDiscordError } from "./discordErrors.ts";

/** A thread left alone this long is archived (it reopens as soon as someone writes in it). */
const ARCHIVE_AFTER = ThreadAutoArchiveDuration.OneWeek;

/**
 * Discussion places on Discord (src/app/discussions.ts): a public thread on each poll message, and
 * a public thread without a starter message in the roadmap channel for each shortlisted idea. Over
 * REST, so a standby process opens them as well as the leader, whatever the gateway cache holds.
 * The thread's name is the fan's text cut to Discord's 100 characters: thread names show no
 * Markdown and ping nobody. A second thread on the same message is refused by Discord (160004): the
 * one there is the place (a thread on a message has the message's id); an idea's thread tried again
 * is first looked for among the bot's active threads. A missing permission is logged with what to
 * give, and not retried.
 */
export function createDiscordDiscussions(opts: { client: Client; log: Logger }): DiscussionOpener {
  const { client, log } = opts;

  /** The thread as a place, from Discord's thread channel object. */
  const placeOf = (thread: APIThreadChannel, channelId: string): DiscussionOpenResult =>
    thread.guild_id
      ? {
          outcome: "opened",
          place: { platform: "discord", chatId: channelId, threadId: thread.id, guildId: thread.guild_id },
        }
      : { outcome: "refused", error: `thread ${thread.id} has no server` };

  function failed(err: unknown, channelId: string, what: string): DiscussionOpenResult {
    const failure = classifyDiscordError(err);
    if (failure.kind === "passing")
      return {
        outcome: "retry",
        error: failure.message,
        ...(failure.retryAfterMs ? { retryAfterMs: failure.retryAfterMs } : {}),
      };
    const permission = failure.code === Code.missingPermissions || failure.code === Code.missingAccess;
    log.warn(
      {
        event: permission ? "discord.discussion.missing_permission" : "discord.discussion.refused",
        channelId,
        code: failure.code,
        error: failure.message,
      },
      permission
        ? `cannot open the discussion thread of ${what} in channel ${channelId}: give the bot View Channel, Create Public Threads and Send Messages in Threads there`
        : `Discord refused the discussion thread of ${what} in channel ${channelId}`,
    );
    return { outcome: "refused", error: failure.message };
  }

  return {
    platform: "discord",
    async pollPlace(post) {
      const what = `poll ${post.pollId}`;
      const body = {
        name: threadName(post.question, "Poll"),
        auto_archive_duration: ARCHIVE_AFTER,
      };
      try {
        const thread = (await client.rest.post(Routes.threads(post.chatId, post.messageId), {
          body,
        })) as APIThreadChannel;
        return placeOf(thread, post.chatId);
      } catch (err) {
        const failure = classifyDiscordError(err);
        if (failure.kind !== "refused" || failure.code !== RESTJSONErrorCodes.ThreadAlreadyCreatedForMessage)
          return failed(err, post.chatId, what);
        // Opened already (an answer lost, a task run again): a message's thread has its id.
        try {
          const thread = (await client.rest.get(Routes.channel(post.messageId))) as APIThreadChannel;
          log.info(
            { event: "discord.discussion.found", pollId: post.pollId, threadId: thread.id },
            "the poll message has its thread already",
          );
          return placeOf(thread, post.chatId);
        } catch (again) {
          return failed(again, post.chatId, what);
        }
      }
    },
    async ideaPlace(idea, channelId, { again }) {
      const name = threadName(idea.title, "Idea");
      try {
        if (again) {
          // A thread without a starter message has nothing Discord could refuse twice: after a try
          // whose answer may have been lost, the bot's open thread of that name in the channel is it.
          const channel = (await client.rest.get(Routes.channel(channelId))) as { guild_id?: string };
          if (channel.guild_id) {
            const active = (await client.rest.get(Routes.guildActiveThreads(channel.guild_id))) as {
              threads: APIThreadChannel[];
            };
            // Before the gateway is ready (a process just started) the bot's id comes from Discord.
            const me = client.user?.id ?? ((await client.rest.get(Routes.user())) as { id: string }).id;
            const mine = active.threads.find(
              (t) => t.parent_id === channelId && t.owner_id === me && t.name === name,
            );
            if (mine) return placeOf(mine, channelId);
          }
        }
        const thread = (await client.rest.post(Routes.threads(channelId), {
          body: {
            name,
            type: ChannelType.PublicThread,
            auto_archive_duration: ARCHIVE_AFTER,
          },
        })) as APIThreadChannel;
        return placeOf(thread, channelId);
      } catch (err) {
        return failed(err, channelId, `idea ${idea.id}`);
      }
    },
  };
}
