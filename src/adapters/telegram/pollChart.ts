import { InputFile } from "grammy";
import type { Tally } from "../../core/polls.ts";
import { t } from "../../i18n/index.ts";
import { pollChartPng } from "../resultsChart.ts";
import type { TelegramPortDeps } from "./deps.ts";
import { pollLocale, shortId } from "./pollView.ts";

/**
 * A closed poll's results chart, sent as a photo in reply to each Telegram message of the poll
 * (whose text was just edited to the final results). A chat that refuses it is logged and skipped:
 * the results are in the edited message anyway.
 */
export async function postTelegramChart(
  deps: Pick<TelegramPortDeps, "services" | "api" | "log">,
  pollId: string,
): Promise<void> {
  const { services, api, log } = deps;
  const posts = await services.app.pollPosts(pollId, "telegram");
  if (posts.length === 0) return;
  const { poll } = await services.app.pollResults(pollId);
  if (!poll.closedAt || !poll.result) return;
  const locale = await pollLocale(services.app, poll);
  const png = pollChartPng(locale, poll, poll.result as unknown as Tally);
  const caption = t(locale, "roadmap.results_posted", { question: poll.question }).slice(0, 1000);
  for (const post of posts) {
    try {
      const sent = await api.sendPhoto(
        Number(post.chatId),
        new InputFile(png, `poll-${shortId(poll.id)}.png`),
        {
          caption,
          reply_parameters: { message_id: Number(post.messageId), allow_sending_without_reply: true },
        },
      );
      log.info(
        { event: "telegram.poll.chart_posted", pollId, chatId: post.chatId, messageId: sent.message_id },
        "results chart posted",
      );
    } catch (err) {
      log.warn(
        { event: "telegram.poll.chart_failed", pollId, chatId: post.chatId, err },
        "could not post the results chart",
      );
    }
  }
}
