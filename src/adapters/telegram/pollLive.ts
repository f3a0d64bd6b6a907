import { GrammyError } from "grammy";
import { pollPosts, pollResults } from "../../app/polls.ts";
import type { TelegramDeps } from "./deps.ts";
import { finalText, liveText, pollKeyboard, pollLocale } from "./pollView.ts";

/**
 * Keeps the poll messages up to date. Ballots arrive in bursts; Telegram allows about one edit per
 * message per second and a group only ~20 messages a minute, so edits are coalesced per poll (one
 * every 3 s at most, counted from the edits themselves, not from the reads before them): the
 * first ballot after a quiet spell edits at once, later ones wait for the interval to pass and are
 * folded into one trailing edit that reads the tally at that moment (so the last ballot is always
 * shown). Edits of one poll run one at a time, so a late live edit can never overwrite the final
 * results. Identical texts are not sent again (Telegram answers 400 "message is not modified").
 */
export interface PollLive {
  /** A ballot was cast: refresh soon (coalesced). */
  touch(pollId: string): void;
  /** The poll closed: show the final results and remove the buttons, now. */
  closed(pollId: string): Promise<void>;
  stop(): Promise<void>;
}

interface PollState {
  timer: NodeJS.Timeout | undefined;
  lastEditAt: number;
  chain: Promise<void>;
  /** A live refresh is under way; `again`: a ballot came in meanwhile, one more follows it. */
  refreshing: boolean;
  again: boolean;
}

export function createPollLive(deps: TelegramDeps, opts: { intervalMs?: number } = {}): PollLive {
  const intervalMs = opts.intervalMs ?? 3_000;
  const { services, api, log, signer } = deps;
  const states = new Map<string, PollState>();
  /** Last text shown per message, to skip edits that would change nothing. */
  const shown = new Map<string, string>();
  let stopped = false;

  const stateOf = (pollId: string): PollState => {
    let s = states.get(pollId);
    if (!s) {
      s = { timer: undefined, lastEditAt: 0, chain: Promise.resolve(), refreshing: false, again: false };
      states.set(pollId, s);
    }
    return s;
  };

  const render = async (pollId: string, s: PollState): Promise<void> => {
    const view = await pollResults(services, pollId);
    const { poll } = view;
    const locale = await pollLocale(services.db, poll);
    const closed = poll.closedAt !== null && view.tally !== null;
    const text = closed ? finalText(locale, poll, view.tally!) : liveText(locale, poll, view);
    const key = closed ? "final" : "live";
    const posts = await pollPosts(services.db, pollId, "telegram");
    s.lastEditAt = Date.now();
    for (const post of posts) {
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

  const run = (pollId: string, s: PollState): Promise<void> => {
    s.chain = s.chain
      .then(() => {
        s.lastEditAt = Date.now();
        return render(pollId, s);
      })
      .catch((err: unknown) =>
        log.warn({ event: "telegram.poll_refresh_failed", pollId, err }, "could not refresh a poll"),
      );
    return s.chain;
  };

  const touch = (pollId: string): void => {
    if (stopped) return;
    const s = stateOf(pollId);
    // Never a queue of refreshes: in a burst, reading every ballot can take longer than the
    // interval, and queued refreshes would edit back to back. The one under way is followed by one more.
    if (s.refreshing) {
      s.again = true;
      return;
    }
    if (s.timer) return; // a trailing edit is already planned: it will read this ballot too
    const wait = Math.max(0, s.lastEditAt + intervalMs - Date.now());
    s.timer = setTimeout(() => {
      s.timer = undefined;
      s.refreshing = true;
      void run(pollId, s).finally(() => {
        s.refreshing = false;
        if (s.again && states.get(pollId) === s) {
          s.again = false;
          touch(pollId);
        }
      });
    }, wait);
  };

  return {
    touch,
    async closed(pollId) {
      const s = stateOf(pollId);
      if (s.timer) clearTimeout(s.timer);
      s.timer = undefined;
      s.again = false; // the final results follow any refresh under way
      await run(pollId, s);
      states.delete(pollId);
    },
    async stop() {
      stopped = true;
      for (const s of states.values()) if (s.timer) clearTimeout(s.timer);
      await Promise.all([...states.values()].map((s) => s.chain));
      states.clear();
    },
  };
}
