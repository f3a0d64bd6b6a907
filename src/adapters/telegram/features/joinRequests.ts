import { Composer, type Context, HttpError } from "grammy";
import { isOwedAccess, tiersOpening } from "../../../app/accessQuery.ts";
import { localeOf } from "../../../i18n/index.ts";
import { backoffDelay, sleep } from "../../../lib/retry.ts";
import { isAlreadyParticipant, isJoinRequestGone, isPassingFailure } from "../apiErrors.ts";
import { deepLink, type TelegramDeps } from "../deps.ts";
import { sendPrivate } from "../messaging.ts";
import { isInChat } from "../rights.ts";
import { tr } from "../strings.ts";

/** Tries of one approval or refusal; the waits between them double from 1 s (about 30 s in all). */
const DECISION_ATTEMPTS = 6;

/**
 * The door of a bound chat. Every join request is judged by the ledger at the moment it arrives:
 * owed the chat → approved; otherwise declined, after a private word saying why and how to become a
 * member (Telegram lets a bot write to someone while their request is pending, not after). Requests
 * to chats that are not bound are left to the chat's human administrators.
 */
export function joinRequestFeature(deps: TelegramDeps): Composer<Context> {
  const { services, log } = deps;
  const composer = new Composer<Context>();

  composer.on("chat_join_request", async (ctx) => {
    const request = ctx.chatJoinRequest;
    const chatId = String(request.chat.id);
    const userId = String(request.from.id);
    const target = { platform: "telegram", chatId } as const;
    const opening = await tiersOpening(services.db, target);
    if (opening.length === 0) return;
    const link = request.invite_link?.invite_link;
    const owner = link ? await deps.invites.ownerOf(link) : null;
    const foreignLink = owner !== null && owner.userId !== userId;
    const verdict = await isOwedAccess(services, { platform: "telegram", userId }, target);
    const fields = { chatId, userId, linkOwner: owner?.userId ?? null };

    if (verdict.owed) {
      const approved = await decide(deps, "approve", fields, () =>
        ctx.approveChatJoinRequest(request.from.id),
      );
      if (!approved) return;
      log.info(
        { event: "telegram.join_approved", ...fields, tierId: verdict.tierId },
        "join request approved",
      );
      // An entitled fan may come in through a friend's link, but that link has leaked: close it.
      if (foreignLink && link) await deps.invites.revoke(chatId, link);
      return;
    }

    const locale = localeOf(request.from.language_code);
    const chat = opening.find((o) => o.label)?.label || request.chat.title || chatId;
    const join = deepLink(deps, opening.find((o) => !o.tier.archivedAt)?.tier.slug);
    const text = tr(locale, foreignLink ? "join.not_yours" : "join.not_member", { chat, link: join });
    try {
      await sendPrivate(ctx.api, request.user_chat_id, text);
    } catch (err) {
      // The word is a courtesy (Telegram allows it only while the request is pending); the refusal is not.
      log.warn({ event: "telegram.notice_failed", userId, err }, "refusal note not sent");
    }
    if (!(await decide(deps, "decline", fields, () => ctx.declineChatJoinRequest(request.from.id)))) return;
    log.info(
      { event: "telegram.join_declined", ...fields, why: foreignLink ? "someone_elses_link" : "not_owed" },
      "join request declined",
    );
  });

  return composer;
}

/**
 * Approves or declines a join request, trying again after a passing failure (no answer, Telegram
 * failing): Telegram does not deliver the request again, so a decision lost here would leave the fan
 * waiting at the door for good. A call that got no answer may still have been carried out; when
 * Telegram then says the request is gone, the fan's place in the chat tells whether the approval
 * went through. Returns false (after logging telegram.join_decision_failed) when it could not be made.
 */
async function decide(
  deps: TelegramDeps,
  action: "approve" | "decline",
  fields: { chatId: string; userId: string; linkOwner: string | null },
  call: () => Promise<unknown>,
): Promise<boolean> {
  let unanswered = false;
  for (let attempt = 1; ; attempt++) {
    try {
      await call();
      return true;
    } catch (err) {
      if (action === "approve" && isAlreadyParticipant(err)) return true;
      if (unanswered && isJoinRequestGone(err)) {
        if (action === "decline") return true;
        const now = await deps.api.getChatMember(fields.chatId, Number(fields.userId)).catch(() => null);
        if (now && isInChat(now)) {
          deps.log.info(
            { event: "telegram.join_approved_earlier", ...fields, attempt },
            "an earlier approval whose answer was lost had gone through",
          );
          return true;
        }
      }
      if (!isPassingFailure(err) || attempt >= DECISION_ATTEMPTS) {
        deps.log.error(
          { event: "telegram.join_decision_failed", action, ...fields, attempt, err },
          `could not ${action} the join request`,
        );
        return false;
      }
      unanswered ||= err instanceof HttpError;
      const delayMs = backoffDelay(attempt - 1, 1_000, 16_000);
      deps.log.warn(
        { event: "telegram.join_decision_retry", action, ...fields, attempt, retryInMs: delayMs, err },
        `could not ${action} the join request yet; trying again`,
      );
      await sleep(delayMs);
    }
  }
}
