import type { PollPostReport } from "../../app/platform.ts";
import { postProblemOf } from "./apiErrors.ts";
import type { TelegramPortDeps } from "./deps.ts";
import { liveText, pollKeyboard, pollLocale } from "./pollView.ts";

/**
 * hooks.pollOpened on Telegram: posts the poll, with its signed buttons, in every group or channel
 * bound to a tier that may vote (every bound chat when all members vote). Each chat that refuses
 * (bot removed, no right to post) is reported and logged; the others still get it.
 */
export async function publishTelegramPoll(deps: TelegramPortDeps, pollId: string): Promise<PollPostReport> {
  const { services, api, signer, log } = deps;
  const row = await services.app.getPoll(pollId);
  const locale = await pollLocale(services.app, row);
  const chats = await services.app.pollChats(row, "telegram");
  const text = liveText(locale, row, { tally: null, hidden: row.hideResults, voters: 0 });
  const report: PollPostReport = { platform: "telegram", posted: [], failed: [] };
  for (const chatId of chats) {
    try {
      const sent = await api.sendMessage(Number(chatId), text, {
        reply_markup: pollKeyboard(signer, locale, row),
      });
      await services.app.recordPollPost({
        pollId,
        platform: "telegram",
        chatId,
        messageId: String(sent.message_id),
        // The poll message is the root of its discussion; a public chat's link uses its @username.
        discussion: {
          kind: "message",
          username: "username" in sent.chat ? (sent.chat.username ?? null) : null,
        },
      });
      log.info({ event: "telegram.poll_posted", pollId, chatId }, "poll posted");
      report.posted.push({ chatId });
    } catch (err) {
      const problem = postProblemOf(err);
      log.warn({ event: "telegram.poll_post_failed", pollId, chatId, problem, err }, "could not post a poll");
      report.failed.push({ chatId, problem, detail: err instanceof Error ? err.message : String(err) });
    }
  }
  return report;
}
