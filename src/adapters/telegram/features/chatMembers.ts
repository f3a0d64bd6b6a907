import { Composer } from "grammy";
import type { ChatMember } from "grammy/types";
import { localeOf, t } from "../../../i18n/index.ts";
import type { TgContext } from "../context.ts";
import { deepLink, type TelegramDeps } from "../deps.ts";
import { sendPrivate } from "../messaging.ts";
import { isAdministrator, isInChat, missingRights, rightsText } from "../rights.ts";

/**
 * Watching bound chats:
 * - chat_member: someone came in without the bot letting them (a link an administrator made, a
 *   link of the bot's used around the join-request door). Not owed the chat → removed (ban+unban)
 *   and the link revoked when it is the bot's. A member who leaves keeps their membership
 *   (/claim brings them back); only the log notes it.
 * - my_chat_member: the bot was removed or lost a right it needs → the creator is told at once.
 */
export function chatMemberFeature(deps: TelegramDeps): Composer<TgContext> {
  const { services, log } = deps;
  const composer = new Composer<TgContext>();

  composer.on("chat_member", async (ctx) => {
    const change = ctx.chatMember;
    const user = change.new_chat_member.user;
    const chatId = String(change.chat.id);
    const joined = !isInChat(change.old_chat_member) && isInChat(change.new_chat_member);
    const left = isInChat(change.old_chat_member) && change.new_chat_member.status === "left";
    if (!joined && !left) return;
    const target = { platform: "telegram", chatId } as const;
    const opening = await services.app.tiersOpening(target);
    if (opening.length === 0) return;
    if (left) {
      log.info(
        { event: "telegram.member_left", chatId, userId: user.id },
        "a member left a bound chat (their membership is untouched; /claim brings them back)",
      );
      return;
    }
    // The bot's own approvals and unbans, administrators and bots are not intruders.
    if (change.from.id === deps.botId || isAdministrator(change.new_chat_member) || user.is_bot) return;
    const link = change.invite_link;
    const owner = link ? await deps.invites.ownerOf(link.invite_link) : null;
    const verdict = await services.app.isOwedAccess(
      { platform: "telegram", userId: String(user.id) },
      target,
    );
    const leakedLink = link && link.creator.id === deps.botId && owner?.userId !== String(user.id);
    if (verdict.owed) {
      if (leakedLink) await deps.invites.revoke(chatId, link.invite_link);
      log.info({ event: "telegram.join_ok", chatId, userId: user.id }, "an entitled fan joined");
      return;
    }
    await ctx.api.banChatMember(change.chat.id, user.id);
    await ctx.api.unbanChatMember(change.chat.id, user.id, { only_if_banned: true });
    if (leakedLink) await deps.invites.revoke(chatId, link.invite_link);
    log.warn(
      {
        event: "telegram.intruder_removed",
        chatId,
        userId: user.id,
        linkOwner: owner?.userId ?? null,
        linkRevoked: Boolean(leakedLink),
      },
      "removed someone who joined a bound chat without being owed it",
    );
    const locale = localeOf(user.language_code);
    const chat = opening.find((o) => o.label)?.label || chatId;
    const join = deepLink(deps, opening.find((o) => !o.tier.archivedAt)?.tier.slug);
    await sendPrivate(ctx.api, user.id, t(locale, "telegram.join.removed", { chat, link: join })).catch(
      () => undefined,
    );
  });

  composer.on("my_chat_member", async (ctx) => {
    const change = ctx.myChatMember;
    if (change.chat.type === "private") return;
    const chatId = String(change.chat.id);
    const opening = await services.app.tiersOpening({ platform: "telegram", chatId });
    if (opening.length === 0) return;
    const chat = opening.find((o) => o.label)?.label || ("title" in change.chat ? change.chat.title : chatId);
    const tiers = [...new Set(opening.map((o) => o.tier.name))];
    const now: ChatMember = change.new_chat_member;
    if (now.status === "left" || now.status === "kicked") {
      log.error(
        { event: "telegram.bot_removed", chatId, by: change.from.id, tiers },
        "the bot was removed from a bound chat",
      );
      await deps.alerts.send("telegram.alert.bot_removed", { chat, tiers }, `removed:${chatId}`);
      return;
    }
    const missing = missingRights(now);
    if (missing.length > 0) {
      log.error(
        { event: "telegram.bot_rights_lost", chatId, missing, tiers },
        "the bot lacks rights in a bound chat",
      );
      await deps.alerts.send(
        "telegram.alert.rights_lost",
        (locale) => ({ chat, tiers, missing: rightsText(locale, missing) }),
        `rights:${chatId}:${missing.join(",")}`,
      );
      return;
    }
    log.info({ event: "telegram.bot_rights_ok", chatId }, "the bot has the rights it needs in a bound chat");
  });

  return composer;
}
