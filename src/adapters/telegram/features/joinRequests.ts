import { Composer } from "grammy";
import type { HeldTask } from "../../../app/tasks.ts";
import type { TaskHandler } from "../../../app/taskWorker.ts";
import type { JobResult } from "../../../app/worker.ts";
import { localeOf, t } from "../../../i18n/index.ts";
import { backoffDelay, sleep } from "../../../lib/retry.ts";
import { isAlreadyParticipant, isJoinRequestGone, isPassingFailure } from "../apiErrors.ts";
import type { TgContext } from "../context.ts";
import { deepLink, type TelegramDeps, type TelegramPortDeps } from "../deps.ts";
import { sendPrivate } from "../messaging.ts";
import { isInChat } from "../rights.ts";

/** The durable task that holds a join request until it is decided. */
export const JOIN_DECISION_TASK = "telegram.join_decision";

/**
 * How long the decision taken at once may run before the task worker may take the request over: a
 * few Telegram calls, each with its deadline. Should this process die (or the database fail) mid-way,
 * the task is judged again once this runs out (at once after a restart on PGlite).
 */
const DOOR_LEASE_MS = 120_000;

/** What a join request task carries: enough to judge the request, and to write to the fan, later. */
interface JoinRequestPayload {
  chatId: string;
  userId: string;
  /** The private chat Telegram opens with the requester while the request is pending. */
  userChatId?: number;
  languageCode?: string | null;
  inviteLink?: string | null;
  chatTitle?: string | null;
  /** The Telegram update it came in: a redelivered update is recognised and not decided twice. */
  updateId?: number;
}

/**
 * The door of a bound chat. Telegram sends a join request once (in webhook mode, again only when the
 * bot did not answer 2xx), so the request is stored as a durable task BEFORE it is judged: a
 * database or Telegram failure while judging leaves a task that the task worker judges again with
 * backoff, across restarts, instead of a fan left at the door. When even storing fails (the database
 * is down): in webhook mode the update fails, Telegram gets a 5xx and redelivers it; in polling mode
 * (the update is already confirmed to Telegram) the bot keeps trying to store it, with backoff.
 *
 * Judging: owed the chat → approved; otherwise declined, after a private word saying why and how to
 * become a member (Telegram lets a bot write to someone while their request is pending, not after).
 * Requests to chats that are not bound are left to the chat's human administrators.
 */
export function joinRequestFeature(deps: TelegramDeps): Composer<TgContext> {
  const { services, log } = deps;
  const composer = new Composer<TgContext>();

  composer.on("chat_join_request", async (ctx) => {
    const request = ctx.chatJoinRequest;
    const payload: JoinRequestPayload = {
      chatId: String(request.chat.id),
      userId: String(request.from.id),
      userChatId: request.user_chat_id,
      languageCode: request.from.language_code ?? null,
      inviteLink: request.invite_link?.invite_link ?? null,
      chatTitle: request.chat.title ?? null,
      updateId: ctx.update.update_id,
    };
    const stored = await storeDurably(deps, payload);
    if (!stored) return;
    let result: JobResult;
    try {
      result = await judgeJoinRequest(deps, payload, { late: false });
    } catch (err) {
      // The ledger failed mid-way (database down): the stored task is judged again by the worker.
      result = { outcome: "retry", error: err instanceof Error ? err.message : String(err) };
      log.warn(
        { event: "telegram.join_judge_failed", chatId: payload.chatId, userId: payload.userId, err },
        "could not judge the join request now; its durable task will",
      );
    }
    await services.app.settleHeldTask(stored, result, { now: services.clock.now(), retryMs: 1_000 }).then(
      () => {
        if (result.outcome === "retry") services.onWork();
      },
      (err: unknown) =>
        // The lease runs out and the task worker takes the request: nothing is lost.
        log.warn(
          { event: "telegram.join_settle_failed", chatId: payload.chatId, userId: payload.userId, err },
          "could not record the join decision; the durable task will run again",
        ),
    );
  });

  return composer;
}

/**
 * Stores the request as a task this process holds (running, under a lease) while it judges it at
 * once. Returns null when there is nothing to do: the same update was already decided (a redelivery),
 * or the request is being judged right now elsewhere.
 */
async function storeJoinRequest(deps: TelegramDeps, p: JoinRequestPayload): Promise<HeldTask | null> {
  const held = await deps.services.app.holdTask({
    key: `telegram:join:${p.chatId}:${p.userId}`,
    kind: JOIN_DECISION_TASK,
    payload: { ...p },
    leaseMs: DOOR_LEASE_MS,
    now: deps.services.clock.now(),
    dedupe: "updateId",
  });
  if (!held) {
    deps.log.info(
      { event: "telegram.join_request_duplicate", chatId: p.chatId, userId: p.userId, updateId: p.updateId },
      "join request already decided or being decided",
    );
    return null;
  }
  return held;
}

/**
 * storeJoinRequest, made to stick. Webhook mode: a failure is thrown, so the update is answered 5xx
 * and Telegram delivers it again. Polling mode: Telegram has been told the update was received, so
 * this process keeps trying with backoff (0.5 s doubling to 15 s) until the database answers or the
 * bot stops, which is the only way such a request is lost (logged as telegram.join_request_lost).
 */
async function storeDurably(deps: TelegramDeps, p: JoinRequestPayload): Promise<HeldTask | null> {
  if (deps.config.mode === "webhook") return storeJoinRequest(deps, p);
  const fields = { chatId: p.chatId, userId: p.userId, updateId: p.updateId };
  for (let attempt = 0; ; attempt++) {
    try {
      const stored = await storeJoinRequest(deps, p);
      if (attempt > 0)
        deps.log.info({ event: "telegram.join_request_stored", ...fields, attempts: attempt + 1 }, "stored");
      return stored;
    } catch (err) {
      if (deps.stopping.aborted) {
        deps.log.error(
          { event: "telegram.join_request_lost", ...fields, err },
          "the bot stopped before the join request could be stored; the fan must open their link again",
        );
        return null;
      }
      const retryInMs = backoffDelay(attempt, 500, 15_000);
      deps.log.warn(
        { event: "telegram.join_request_store_failed", ...fields, attempt: attempt + 1, retryInMs, err },
        "could not store the join request (database unavailable?); trying again",
      );
      await sleep(retryInMs, deps.stopping);
    }
  }
}

/**
 * Judges a request against the ledger now (the fan may have paid or lapsed since it arrived) and
 * carries the decision out. A call that got no answer may still have been carried out: when
 * Telegram then says the request is gone, the fan's place in the chat tells whether an approval went
 * through.
 */
async function judgeJoinRequest(
  deps: TelegramPortDeps,
  p: JoinRequestPayload,
  opts: { late: boolean },
): Promise<JobResult> {
  const { services, api, log } = deps;
  const { chatId, userId } = p;
  const target = { platform: "telegram", chatId } as const;
  const opening = await services.app.tiersOpening(target);
  if (opening.length === 0) return { outcome: "done", note: "chat not bound: left to its administrators" };
  const link = p.inviteLink ?? null;
  const owner = link ? await deps.invites.ownerOf(link) : null;
  const foreignLink = owner !== null && owner.userId !== userId;
  const verdict = await services.app.isOwedAccess({ platform: "telegram", userId }, target);
  const action = verdict.owed ? "approve" : "decline";
  const fields = { chatId, userId, linkOwner: owner?.userId ?? null, ...(opts.late ? { late: true } : {}) };

  if (!verdict.owed && p.userChatId !== undefined) {
    const locale = localeOf(p.languageCode ?? undefined);
    const chat = opening.find((o) => o.label)?.label || p.chatTitle || chatId;
    const join = deepLink(deps, opening.find((o) => !o.tier.archivedAt)?.tier.slug);
    const text = t(locale, foreignLink ? "telegram.join.not_yours" : "telegram.join.not_member", {
      chat,
      link: join,
    });
    try {
      await sendPrivate(api, p.userChatId, text);
    } catch (err) {
      // The word is a courtesy (Telegram allows it only while the request is pending); the refusal is not.
      log.warn({ event: "telegram.notice_failed", userId, err }, "refusal note not sent");
    }
  }

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
      return { outcome: "done", note: "request no longer pending (decided earlier or withdrawn)" };
    }
    const error = err instanceof Error ? err.message : String(err);
    if (isPassingFailure(err)) {
      log.warn(
        { event: "telegram.join_decision_retry", action, ...fields, err },
        `could not ${action} the join request yet; its durable task keeps trying`,
      );
      return { outcome: "retry", error };
    }
    log.error(
      { event: "telegram.join_decision_failed", action, ...fields, err },
      `could not ${action} the join request`,
    );
    return { outcome: "dead", error };
  }
  if (verdict.owed) {
    log.info(
      { event: "telegram.join_approved", ...fields, tierId: verdict.tierId },
      opts.late ? "join request approved after a retry" : "join request approved",
    );
    // An entitled fan may come in through a friend's link, but that link has leaked: close it.
    if (foreignLink && link)
      await deps.invites
        .revoke(chatId, link)
        .catch((err: unknown) =>
          log.warn({ event: "telegram.link_revoke_failed", chatId, err }, "could not revoke a leaked link"),
        );
  } else {
    log.info(
      {
        event: "telegram.join_declined",
        ...fields,
        why: foreignLink ? "someone_elses_link" : "not_owed",
      },
      opts.late ? "join request declined after a retry" : "join request declined",
    );
  }
  return { outcome: "done", note: action };
}

/**
 * JOIN_DECISION_TASK, run by the task worker: a request whose decision could not be taken (or
 * recorded) at once is judged again; the worker retries passing failures with backoff.
 */
export function joinDecisionTask(deps: TelegramPortDeps): TaskHandler {
  return (payload) => judgeJoinRequest(deps, payload as JoinRequestPayload, { late: true });
}
