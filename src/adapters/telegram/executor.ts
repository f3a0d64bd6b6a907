import type { ChatMember } from "grammy/types";
import type { AccessExecutor, AccessJob } from "../../app/access/accessWorker.ts";
import type { JobResult } from "../../app/worker.ts";
import { t } from "../../i18n/index.ts";
import { isUnknownUser, jobFailure } from "./apiErrors.ts";
import { comeBackKeyboard } from "./comeBack.ts";
import type { TelegramPortDeps } from "./deps.ts";
import { localeOfUser, sendPrivate } from "./messaging.ts";
import { isAdministrator, isInChat } from "./rights.ts";

/**
 * Carries out the ledger's access wishes for Telegram chats. Idempotent by reading the member's
 * status first: a grant for someone already in the chat, or a revoke for someone already out, is
 * done without touching anything.
 *
 * - grant: a personal join-request link, sent privately (see invites.ts for why join requests).
 *   The bot approves the request when it comes, after asking the ledger again.
 * - revoke: ban then unban (only_if_banned). Telegram has no "remove member" call; the unban makes
 *   the removal a kick rather than a ban, so the fan can come back after paying again.
 */
export function createTelegramExecutor(deps: TelegramPortDeps): AccessExecutor {
  const { api, services, log } = deps;

  const statusOf = async (chatId: string, userId: number): Promise<ChatMember | null> => {
    try {
      return await api.getChatMember(chatId, userId);
    } catch (err) {
      if (isUnknownUser(err)) return null;
      throw err;
    }
  };

  const chatLabel = async (chatId: string): Promise<string> => {
    const opening = await services.app.tiersOpening({ platform: "telegram", chatId });
    return opening.find((o) => o.label)?.label || chatId;
  };

  const grant = async (job: AccessJob, chatId: string): Promise<JobResult> => {
    const userId = Number(job.userId);
    const now = await statusOf(chatId, userId);
    if (now && isInChat(now)) return { outcome: "done", note: "already in the chat" };
    // A leftover ban (an earlier removal whose unban never ran) would make the link useless.
    if (now?.status === "kicked") await api.unbanChatMember(chatId, userId, { only_if_banned: true });
    // One invite per change however often this job runs (its outcome lost with the database, its
    // process killed after sending, the same grant wished again): the link sent is still good.
    const announced = `tg:invite:${job.id}:${job.change}`;
    if (await services.app.wasAnnounced(announced))
      return { outcome: "done", note: "invite link already sent for this change" };
    const link = await deps.invites.issue(chatId, job.userId);
    const owed = await services.app.isOwedAccess({ platform: "telegram", userId: job.userId }, job.target);
    const chat = await chatLabel(chatId);
    const locale = await localeOfUser(services.app, job.userId);
    const sent = await sendPrivate(
      api,
      userId,
      [
        ...(owed.owed && owed.returning ? [t(locale, "notice.welcome_back")] : []),
        t(locale, "telegram.grant.invite", { tier: owed.owed ? owed.tierName : chat, chat, link }),
      ].join("\n"),
      { inline_keyboard: [[{ text: t(locale, "telegram.grant.button", { chat }), url: link }]] },
    );
    if (sent === "sent")
      await services.app.markAnnounced(announced, services.clock.now()).catch((err: unknown) =>
        // The job's own outcome still waits for the database (it is not run again); only a second
        // wish of this same grant could then send the link once more.
        log.warn(
          { event: "telegram.invite_mark_failed", chatId, userId: job.userId, err },
          "invite sent, but could not record it",
        ),
      );
    return {
      outcome: "done",
      note:
        sent === "sent"
          ? "invite link sent"
          : "invite link made, but the fan cannot be messaged (blocked the bot or never started it); /claim sends it again",
    };
  };

  const revoke = async (job: AccessJob, chatId: string): Promise<JobResult> => {
    const userId = Number(job.userId);
    const now = await statusOf(chatId, userId);
    if (now && isAdministrator(now)) {
      log.warn(
        { event: "telegram.revoke_skipped_admin", chatId, userId: job.userId },
        "not removing an administrator of the chat",
      );
      return { outcome: "done", note: "an administrator of the chat: left in place" };
    }
    const wasIn = now !== null && (isInChat(now) || now.status === "restricted");
    if (wasIn) {
      await api.banChatMember(chatId, userId);
      await api.unbanChatMember(chatId, userId, { only_if_banned: true });
    }
    try {
      await deps.invites.revokeAllOf(chatId, job.userId);
    } catch (err) {
      // The removal is what matters; a link left alive is harmless (requests are judged one by one).
      log.warn({ event: "telegram.invite_revoke_failed", chatId, err }, "could not revoke an invite link");
    }
    if (!wasIn) return { outcome: "done", note: "not in the chat" };
    const locale = await localeOfUser(services.app, job.userId);
    const chat = await chatLabel(chatId);
    try {
      // Left behind by a tier switch: the member holds another tier, so no "join again".
      const holds = await services.app.memberTierNow({ platform: "telegram", userId: job.userId });
      if (holds) await sendPrivate(api, userId, t(locale, "telegram.revoke.switched", { chat, tier: holds }));
      else {
        const back = await comeBackKeyboard(deps, job.userId, chatId, locale);
        await sendPrivate(api, userId, t(locale, "telegram.revoke.removed", { chat }), back);
      }
    } catch (err) {
      log.warn({ event: "telegram.notice_failed", userId: job.userId, err }, "removal notice not sent");
    }
    return { outcome: "done", note: "removed (ban + unban)" };
  };

  return {
    platform: "telegram",
    async execute(job) {
      if (job.target.platform !== "telegram") return { outcome: "dead", error: "not a Telegram target" };
      const chatId = job.target.chatId;
      try {
        return job.action === "grant" ? await grant(job, chatId) : await revoke(job, chatId);
      } catch (err) {
        const what = `${job.action} in chat ${chatId}`;
        const failure = jobFailure(err, what);
        if (failure.outcome !== "dead") return failure;
        // For good: the stored problem names the chat as the creator knows it, and the creator's
        // feed (written with the job's dead state, src/app/feed.ts) tells them.
        const chat = await chatLabel(chatId).catch(() => chatId);
        const result = jobFailure(err, what, chat === chatId ? chatId : `“${chat}”`);
        return result;
      }
    },
  };
}
