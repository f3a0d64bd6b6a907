import { createHash } from "node:crypto";
import { AttachmentBuilder, type Client, type Message, type SendableChannels } from "discord.js";
import { createLiveRefresher } from "../../app/liveRefresh.ts";
import type { PollPlacement, PollPostReport, PostProblem } from "../../app/platform.ts";
import type { PortServices } from "../../app/services.ts";
import type { Tally } from "../../core/polls.ts";
import { type Locale, localeOf, t } from "../../i18n/index.ts";
import type { Logger } from "../../log.ts";
import { pollChartPng } from "../resultsChart.ts";
import { classifyDiscordError, postProblemOf } from "./discordErrors.ts";
import { loadPollView, pollComponents, pollEmbed, shortId } from "./pollView.ts";

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
  /** hooks.pollClosed: final results, components disabled, then the results chart in reply. */
  pollClosed(pollId: string): Promise<void>;
  /** No more edits; resolves once the edits under way are done. */
  stop(): Promise<void>;
}

function localeOfChannel(channel: unknown): Locale {
  const guild = (channel as { guild?: { preferredLocale?: string } }).guild;
  return localeOf(guild?.preferredLocale);
}

/**
 * Keeps every Discord message of a poll up to date: the edits are coalesced by the app's live
 * refresher (src/app/liveRefresh.ts); a refresh edits each message of the poll.
 */
export function createPollPublisher(opts: {
  client: Client;
  services: PortServices;
  log: Logger;
  intervalMs?: number;
}): PollPublisher {
  const { client, services, log } = opts;

  async function refresh(pollId: string, final: boolean): Promise<void> {
    const posts = await services.app.pollPosts(pollId, "discord");
    if (posts.length === 0) return;
    const view = await loadPollView(services.app, pollId);
    // Hidden results: an open poll's message has nothing new to show.
    if (!final && view.tally === null && view.poll.closedAt === null) return;
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

  /**
   * The results chart of a closed poll, as an attachment in reply to each of its messages (run by the
   * durable results task, src/app/polls.ts). A channel that refuses it is logged and skipped: the
   * edited message holds the results anyway.
   */
  async function postChart(pollId: string): Promise<void> {
    const posts = await services.app.pollPosts(pollId, "discord");
    if (posts.length === 0) return;
    const { poll } = await services.app.pollResults(pollId);
    if (!poll.closedAt || !poll.result) return;
    for (const post of posts) {
      try {
        const channel = await client.channels.fetch(post.chatId);
        if (!channel?.isSendable()) continue;
        const locale = localeOfChannel(channel);
        const png = pollChartPng(locale, poll, poll.result as unknown as Tally);
        const sent = await channel.send({
          content: t(locale, "roadmap.results_posted", { question: poll.question }).slice(0, 2000),
          files: [new AttachmentBuilder(png, { name: `poll-${shortId(poll.id)}.png` })],
          reply: { messageReference: post.messageId, failIfNotExists: false },
          // Discord drops a second message with the same nonce for a few minutes: a results task run
          // again after a send whose answer was lost does not post the chart twice.
          nonce: `chart-${createHash("sha256").update(`${pollId}:${post.messageId}`).digest("hex").slice(0, 19)}`,
          enforceNonce: true,
        });
        log.info(
          { event: "discord.poll.chart_posted", pollId, channelId: post.chatId, messageId: sent.id },
          "results chart posted",
        );
      } catch (err) {
        log.warn(
          { event: "discord.poll.chart_failed", pollId, channelId: post.chatId, err },
          "could not post the results chart",
        );
      }
    }
  }

  const live = createLiveRefresher({
    refresh,
    onError: (pollId, err) =>
      log.warn({ event: "discord.poll.edit_failed", pollId, err }, "could not update the poll message"),
    ...(opts.intervalMs === undefined ? {} : { intervalMs: opts.intervalMs }),
  });

  return {
    async post(channel, pollId) {
      const view = await loadPollView(services.app, pollId);
      const locale = localeOfChannel(channel);
      const message = await channel.send({
        embeds: [pollEmbed(locale, view)],
        components: pollComponents(locale, view.poll),
      });
      await services.app.recordPollPost({
        pollId,
        platform: "discord",
        chatId: message.channelId,
        messageId: message.id,
        // Its discussion is a thread opened on the message (DiscussionOpener.pollPlace).
        discussion: { kind: "opened" },
      });
      log.info({ event: "discord.poll.posted", pollId, channelId: message.channelId }, "poll posted");
      return message;
    },
    async publish(pollId, placement) {
      const ids =
        placement.chosen?.platform === "discord"
          ? placement.chosen.chatIds
          : (await services.app.getSettings()).discordPollChannelIds;
      const report: PollPostReport = { platform: "discord", posted: [], failed: [] };
      const refused = (chatId: string, problem: PostProblem, detail: string, err?: unknown) => {
        log.warn(
          { event: "discord.poll.post_failed", pollId, channelId: chatId, problem, ...(err ? { err } : {}) },
          `could not post a poll: ${detail}`,
        );
        report.failed.push({ chatId, problem, detail });
      };
      for (const chatId of new Set(ids)) {
        try {
          const channel = await client.channels.fetch(chatId);
          if (!channel?.isSendable()) {
            refused(chatId, "bot_not_allowed", "not a channel the bot can post in");
            continue;
          }
          const message = await this.post(channel, pollId);
          report.posted.push({ chatId, url: message.url });
        } catch (err) {
          refused(chatId, postProblemOf(err), classifyDiscordError(err).message, err);
        }
      }
      return report;
    },
    ballotCast: (pollId) => live.request(pollId),
    pollClosed: async (pollId) => {
      await live.final(pollId);
      await postChart(pollId);
    },
    stop: () => live.stop(),
  };
}
