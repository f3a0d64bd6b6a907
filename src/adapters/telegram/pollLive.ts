import { GrammyError } from "grammy";
import { createLiveRefresher, type LiveRefresher } from "../../app/liveRefresh.ts";
import type { TelegramPortDeps } from "./deps.ts";
import { finalText, liveText, pollKeyboard, pollLocale } from "./pollView.ts";

/**
 * Keeps the poll messages up to date on Telegram: the refreshes are coalesced by the app's live
 * refresher (src/app/liveRefresh.ts); a refresh edits each message of the poll. Identical texts are
 * not sent again (Telegram answers 400 "message is not modified").
 */
export function createPollLive(deps: TelegramPortDeps, opts: { intervalMs?: number } = {}): LiveRefresher {
  const { services, api, log, signer } = deps;
  /** Last text shown per message, to skip edits that would change nothing. */
  const shown = new Map<string, string>();

  const refresh = async (pollId: string): Promise<void> => {
    const view = await services.app.pollResults(pollId);
    const { poll } = view;
    const locale = await pollLocale(services.app, poll);
    const closed = poll.closedAt !== null && view.tally !== null;
    const text = closed ? finalText(locale, poll, view.tally!) : liveText(locale, poll, view);
    const key = closed ? "final" : "live";
    for (const post of await services.app.pollPosts(pollId, "telegram")) {
      const at = `${post.chatId}:${post.messageId}`;
      if (shown.get(at) === `${key}\n${text}`) continue;
      try {
        await api.editMessageText(
          Number(post.chatId),
          Number(post.messageId),
          text,
          // Without reply_markup the edit removes the buttons: a closed poll takes no more votes.
          closed ? {} : { reply_markup: pollKeyboard(signer, locale, poll) },
        );
      } catch (err) {
        if (!(err instanceof GrammyError && /message is not modified/i.test(err.description))) {
          log.warn(
            { event: "telegram.poll_edit_failed", pollId, chatId: post.chatId, err },
            "could not update a poll message",
          );
          continue;
        }
      }
      shown.set(at, `${key}\n${text}`);
    }
  };

  return createLiveRefresher({
    refresh,
    onError: (pollId, err) =>
      log.warn({ event: "telegram.poll_refresh_failed", pollId, err }, "could not refresh a poll"),
    ...(opts.intervalMs === undefined ? {} : { intervalMs: opts.intervalMs }),
  });
}
