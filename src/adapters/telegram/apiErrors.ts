import { GrammyError, HttpError } from "grammy";
import type { PostProblem } from "../../app/platform.ts";
import type { JobResult } from "../../app/worker.ts";

/**
 * Reading Telegram's refusals. grammY splits them as we want (GrammyError: Telegram answered no;
 * HttpError: no answer), and auto-retry has already waited out 429s up to its limit and retried
 * 5xx. What is left is sorted here into "try later", "only the creator can fix this" and "the user
 * is out of reach", the last of which is not a failure for a membership bot.
 */

/** The private chat cannot be written to: the user blocked the bot, never started it, or is gone. */
export function isUnreachableUser(err: unknown): boolean {
  if (!(err instanceof GrammyError)) return false;
  if (err.error_code === 403) return true;
  return (
    err.error_code === 400 &&
    /chat not found|user not found|PEER_ID_INVALID|user is deactivated/i.test(err.description)
  );
}

/** The user is not (or no longer) known to Telegram in this chat. */
export function isUnknownUser(err: unknown): boolean {
  return (
    err instanceof GrammyError &&
    err.error_code === 400 &&
    /user not found|PARTICIPANT_ID_INVALID|USER_ID_INVALID/i.test(err.description)
  );
}

export function isAlreadyParticipant(err: unknown): boolean {
  return err instanceof GrammyError && /USER_ALREADY_PARTICIPANT/i.test(err.description);
}

/** Telegram has no pending join request from this user any more (decided already, or withdrawn). */
export function isJoinRequestGone(err: unknown): boolean {
  return err instanceof GrammyError && /HIDE_REQUESTER_MISSING/i.test(err.description);
}

/**
 * A failure that may pass by itself: no answer (network error, timeout; the call may or may not have
 * been carried out) or Telegram failing (5xx, a flood wait auto-retry did not wait out).
 */
export function isPassingFailure(err: unknown): boolean {
  if (err instanceof HttpError) return true;
  return err instanceof GrammyError && (err.error_code >= 500 || err.error_code === 429);
}

/** "Network request for 'x' failed!" and why (refused, reset, no answer within N s). */
export function networkErrorText(err: HttpError): string {
  const cause = err.error instanceof Error ? err.error.message : String(err.error);
  return cause ? `${err.message} ${cause}` : err.message;
}

/** Problems with the chat itself that retrying cannot fix: the bot was removed, lost its rights, or the chat is gone. */
export type ChatProblem = "bot_removed" | "rights_missing" | "chat_gone";

export function chatProblemOf(err: unknown): ChatProblem | null {
  if (!(err instanceof GrammyError)) return null;
  const d = err.description;
  if (err.error_code === 403 && /kicked|not a member|bot was removed/i.test(d)) return "bot_removed";
  if (/not enough rights|CHAT_ADMIN_REQUIRED|have no rights|need administrator rights/i.test(d))
    return "rights_missing";
  if (/chat not found|CHANNEL_PRIVATE|group chat was upgraded|chat was deleted/i.test(d)) return "chat_gone";
  return null;
}

/** Why a chat refused a post, in the app's terms. */
export function postProblemOf(err: unknown): PostProblem {
  switch (chatProblemOf(err)) {
    case "bot_removed":
    case "rights_missing":
      return "bot_not_allowed";
    case "chat_gone":
      return "chat_gone";
    case null:
      return "platform_failed";
  }
}

/** The problem as the job's last error says it (English, like the logs). */
function chatProblemWords(problem: ChatProblem): string {
  switch (problem) {
    case "bot_removed":
      return "the bot is no longer in this chat: add it back as an administrator with Invite users via link and Ban users";
    case "rights_missing":
      return "the bot lacks an administrator right in this chat (it needs Invite users via link and Ban users)";
    case "chat_gone":
      return "the chat no longer exists or the bot cannot see it (deleted, or upgraded to a supergroup: bind the new one)";
  }
}

/**
 * A failed access job as the worker wants it: retry passing trouble, dead-letter the rest with why.
 * `chat`: how the creator knows the chat, for the stored problem of a chat the bot cannot act in.
 */
export function jobFailure(err: unknown, what: string, chat?: string): JobResult {
  if (err instanceof HttpError)
    return { outcome: "retry", error: `${what}: network error (${networkErrorText(err)})` };
  if (err instanceof GrammyError) {
    if (err.error_code === 429) {
      const seconds = err.parameters.retry_after ?? 5;
      return {
        outcome: "retry",
        error: `${what}: Telegram flood limit, retry after ${seconds} s`,
        retryAfterMs: seconds * 1000,
      };
    }
    if (err.error_code >= 500)
      return { outcome: "retry", error: `${what}: Telegram error ${err.error_code}` };
    const code = chatProblemOf(err);
    if (code)
      return {
        outcome: "dead",
        error: `${what}: ${chatProblemWords(code)} (Telegram said: ${err.description})`,
        ...(chat === undefined ? {} : { problem: { code, chat } }),
      };
    return { outcome: "dead", error: `${what}: Telegram refused (${err.error_code} ${err.description})` };
  }
  throw err;
}
