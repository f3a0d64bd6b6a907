import { Composer, type Context, HttpError } from "grammy";
import { isOwedAccess, tiersOpening } from "../../../app/accessQuery.ts";
import { scheduleTask } from "../../../app/tasks.ts";
import type { TaskHandler } from "../../../app/taskWorker.ts";
import { localeOf } from "../../../i18n/index.ts";
import { isAlreadyParticipant, isJoinRequestGone, isPassingFailure } from "../apiErrors.ts";
import { deepLink, type TelegramDeps } from "../deps.ts";
import { sendPrivate } from "../messaging.ts";
import { isInChat } from "../rights.ts";
import { tr } from "../strings.ts";

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

/** The durable task that keeps trying a join decision Telegram did not take at once. */
export const JOIN_DECISION_TASK = "telegram.join_decision";

type DecisionFields = { chatId: string; userId: string; linkOwner: string | null };

/**
 * Approves or declines a join request. Telegram does not deliver a request again, so a decision
 * lost to a passing failure (no answer, Telegram failing) would leave the fan at the door for good:
 * it becomes a durable task (JOIN_DECISION_TASK) that judges the request again against the ledger
 * and tries until it is made, across restarts. Returns true when the decision was made now.
 */
async function decide(
  deps: TelegramDeps,
  action: "approve" | "decline",
  fields: DecisionFields,
  call: () => Promise<unknown>,
): Promise<boolean> {
  try {
    await call();
    return true;
  } catch (err) {
    if (action === "approve" && isAlreadyParticipant(err)) return true;
    if (!isPassingFailure(err)) {
      deps.log.error(
        { event: "telegram.join_decision_failed", action, ...fields, err },
        `could not ${action} the join request`,
      );
      return false;
    }
    const { services } = deps;
    const now = services.clock.now();
    await services.db.$transaction((tx) =>
      scheduleTask(tx, {
        key: `telegram:join:${fields.chatId}:${fields.userId}`,
        kind: JOIN_DECISION_TASK,
        payload: { chatId: fields.chatId, userId: fields.userId, unanswered: err instanceof HttpError },
        runAfter: new Date(now.getTime() + 1_000),
        now,
      }),
    );
    services.onWork();
    deps.log.warn(
      { event: "telegram.join_decision_retry", action, ...fields, attempt: 1, err },
      `could not ${action} the join request yet; a durable task keeps trying`,
    );
    return false;
  }
}

/**
 * JOIN_DECISION_TASK: the request is judged again (the fan may have paid or lapsed meanwhile) and
 * the decision tried once per run; the task worker retries with backoff. A call that got no answer
 * may still have been carried out: when Telegram then says the request is gone, the fan's place in
 * the chat tells whether an approval went through.
 */
export function joinDecisionTask(deps: TelegramDeps): TaskHandler {
  const { services, api, log } = deps;
  return async (payload) => {
    const { chatId, userId, unanswered } = payload as {
      chatId: string;
      userId: string;
      unanswered?: boolean;
    };
    const verdict = await isOwedAccess(
      services,
      { platform: "telegram", userId },
      { platform: "telegram", chatId },
    );
    const action = verdict.owed ? "approve" : "decline";
    const fields = { chatId, userId, late: true };
    try {
      if (verdict.owed) await api.approveChatJoinRequest(chatId, Number(userId));
      else await api.declineChatJoinRequest(chatId, Number(userId));
    } catch (err) {
      if (verdict.owed && isAlreadyParticipant(err)) return { outcome: "done", note: "already in the chat" };
      if (isJoinRequestGone(err)) {
        const member = await api.getChatMember(chatId, Number(userId)).catch(() => null);
        if (verdict.owed && member && isInChat(member)) {
          log.info(
            { event: "telegram.join_approved_earlier", ...fields },
            "an earlier approval had gone through",
          );
          return { outcome: "done", note: "approved earlier" };
        }
        return {
          outcome: "done",
          note: unanswered ? "request decided earlier" : "request no longer pending",
        };
      }
      const error = err instanceof Error ? err.message : String(err);
      if (isPassingFailure(err)) return { outcome: "retry", error };
      log.error(
        { event: "telegram.join_decision_failed", action, ...fields, err },
        `could not ${action} the join request`,
      );
      return { outcome: "dead", error };
    }
    log.info(
      { event: verdict.owed ? "telegram.join_approved" : "telegram.join_declined", ...fields },
      `join request ${verdict.owed ? "approved" : "declined"} after a retry`,
    );
    return { outcome: "done", note: action };
  };
}
