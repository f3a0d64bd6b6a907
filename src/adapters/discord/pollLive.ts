import type { Client, Message, SendableChannels } from "discord.js";
import { pollPosts, recordPollPost } from "../../app/polls.ts";
import type { AppServices, PollPlacement, PollPostReport } from "../../app/services.ts";
import { getSettings } from "../../app/settings.ts";
import { type Locale, localeOf } from "../../i18n/index.ts";
import type { Logger } from "../../log.ts";
import { loadPollView, pollComponents, pollEmbed } from "./pollView.ts";

/** At most one edit of a poll's messages per this long; the last ballot's edit always happens. */
export const LIVE_EDIT_INTERVAL_MS = 2_000;

export interface PollPublisher {
  /** Posts the poll in `channel` and records the post (live results and the closing edit it). */
  post(channel: SendableChannels, pollId: string): Promise<Message>;
  /**
   * hooks.pollOpened: posts the poll in the channels the creator chose, else the poll channels in
   * settings; each channel that cannot take it is reported with the reason.
   */
  publish(pollId: string, placement: PollPlacement): Promise<PollPostReport>;
  /** hooks.ballotCast: schedules a coalesced edit. */
  ballotCast(pollId: string): void;
  /** hooks.pollClosed: final results, components disabled. */
  pollClosed(pollId: string): Promise<void>;
  stop(): void;
}

function localeOfChannel(channel: unknown): Locale {
  const guild = (channel as { guild?: { preferredLocale?: string } }).guild;
  return localeOf(guild?.preferredLocale);
}

/**
 * Keeps every Discord message of a poll up to date. Edits of one poll run one after the other (a
 * slow live edit can never land after the closing edit), and bursts of ballots are coalesced: the
 * first edit goes out at once, the next no sooner than LIVE_EDIT_INTERVAL_MS later, with the tally
 * read when it runs.
 */
export function createPollPublisher(opts: {
  client: Client;
  services: AppServices;
  log: Logger;
  intervalMs?: number;
}): PollPublisher {
  const { client, services, log } = opts;
  const interval = opts.intervalMs ?? LIVE_EDIT_INTERVAL_MS;
  /** Per poll: the planned edit, when the last one started, whether one is under way (and due again). */
  const pending = new Map<
    string,
    { timer: NodeJS.Timeout | undefined; last: number; running: boolean; again: boolean }
  >();
  const chains = new Map<string, Promise<void>>();
  let stopped = false;

  function serialize(pollId: string, step: () => Promise<void>): Promise<void> {
    const next = (chains.get(pollId) ?? Promise.resolve()).then(step);
    const settled = next.catch(() => undefined);
    chains.set(pollId, settled);
    void settled.then(() => {
      if (chains.get(pollId) === settled) chains.delete(pollId);
    });
    return next;
  }

  async function refresh(pollId: string, live: boolean): Promise<void> {
    const posts = await pollPosts(services.db, pollId, "discord");
    if (posts.length === 0) return;
    const view = await loadPollView(services, pollId);
    // Hidden results: an open poll's message has nothing new to show.
    if (live && view.tally === null && view.poll.closedAt === null) return;
    for (const post of posts) {
      const channel = await client.channels.fetch(post.chatId);
      if (!channel?.isTextBased()) continue;
      const locale = localeOfChannel(channel);
      await channel.messages.edit(post.messageId, {
        embeds: [pollEmbed(locale, view)],
        components: pollComponents(locale, view.poll),
      });
      log.info(
        {
          event: "discord.poll.edited",
          pollId,
          messageId: post.messageId,
          closed: view.poll.closedAt !== null,
        },
        "poll message updated",
      );
    }
  }

  function ballotCast(pollId: string): void {
    if (stopped) return;
    const state = pending.get(pollId) ?? { timer: undefined, last: 0, running: false, again: false };
    pending.set(pollId, state);
    // An edit under way may have read the tally before this ballot: one more follows it. Never a
    // queue of edits: in a burst, reading every ballot can take longer than the interval, and
    // queued edits would then go out back to back (and hold up the closing's final edit).
    if (state.running) {
      state.again = true;
      return;
    }
    if (state.timer) return; // an edit is due: it will read this ballot too
    const delay = Math.max(0, state.last + interval - Date.now());
    state.timer = setTimeout(() => {
      state.timer = undefined;
      state.last = Date.now();
      state.running = true;
      serialize(pollId, () => refresh(pollId, true))
        .catch((err: unknown) =>
          log.warn({ event: "discord.poll.edit_failed", pollId, err }, "could not update the poll message"),
        )
        .finally(() => {
          state.running = false;
          if (state.again && pending.get(pollId) === state) {
            state.again = false;
            ballotCast(pollId);
          }
        });
    }, delay);
    state.timer.unref();
  }

  return {
    async post(channel, pollId) {
      const view = await loadPollView(services, pollId);
      const locale = localeOfChannel(channel);
      const message = await channel.send({
        embeds: [pollEmbed(locale, view)],
        components: pollComponents(locale, view.poll),
      });
      await recordPollPost(services.db, {
        pollId,
        platform: "discord",
        chatId: message.channelId,
        messageId: message.id,
      });
      log.info({ event: "discord.poll.posted", pollId, channelId: message.channelId }, "poll posted");
      return message;
    },
    async publish(pollId, placement) {
      const ids = placement.discordChannelIds ?? (await getSettings(services.db)).discordPollChannelIds;
      const report: PollPostReport = { platform: "discord", posted: [], failed: [] };
      for (const chatId of new Set(ids)) {
        try {
          const channel = await client.channels.fetch(chatId);
          if (!channel?.isSendable()) throw new Error("not a channel the bot can post in");
          const message = await this.post(channel, pollId);
          report.posted.push({ chatId, url: message.url });
        } catch (err) {
          const reason = err instanceof Error ? err.message : String(err);
          log.warn(
            { event: "discord.poll.post_failed", pollId, channelId: chatId, err },
            "could not post a poll",
          );
          report.failed.push({ chatId, reason });
        }
      }
      return report;
    },
    ballotCast,
    async pollClosed(pollId) {
      const state = pending.get(pollId);
      if (state?.timer) clearTimeout(state.timer);
      pending.delete(pollId);
      await serialize(pollId, () => refresh(pollId, false));
    },
    stop() {
      stopped = true;
      for (const state of pending.values()) if (state.timer) clearTimeout(state.timer);
      pending.clear();
    },
  };
}
