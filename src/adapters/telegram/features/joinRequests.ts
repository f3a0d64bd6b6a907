import { Composer, type Context } from "grammy";
import { isOwedAccess, tiersOpening } from "../../../app/accessQuery.ts";
import { localeOf } from "../../../i18n/index.ts";
import { isAlreadyParticipant } from "../apiErrors.ts";
import { deepLink, type TelegramDeps } from "../deps.ts";
import { sendPrivate } from "../messaging.ts";
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
      try {
        await ctx.approveChatJoinRequest(request.from.id);
      } catch (err) {
        if (!isAlreadyParticipant(err)) throw err;
      }
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
    await sendPrivate(ctx.api, request.user_chat_id, text);
    await ctx.declineChatJoinRequest(request.from.id);
    log.info(
      { event: "telegram.join_declined", ...fields, why: foreignLink ? "someone_elses_link" : "not_owed" },
      "join request declined",
    );
  });

  return composer;
}
