import { Composer, GrammyError } from "grammy";
import type { InlineKeyboardButton } from "grammy/types";
import { t } from "../../../i18n/index.ts";
import type { TgContext } from "../context.ts";
import type { TelegramDeps } from "../deps.ts";
import { localeOfUser, sendPrivate } from "../messaging.ts";
import { isAdministrator, isInChat, missingRights, rightsText } from "../rights.ts";
import { isCreator } from "./creatorGuard.ts";

/**
 * Tier ids are UUIDs: 12 hex characters of one keep the signed data within Telegram's 64 bytes next
 * to a chat id, and a prefix that matches two active tiers is refused rather than guessed.
 */
const TIER_PREFIX = 12;

/**
 * The bot added to a group, supergroup or channel that no tier opens: each creator it can write to
 * gets, in private, one button per active tier ("Open <chat> to <tier>"). A press binds the chat as
 * /bindcode + /bind do (same code, same checks of the bot's rights, same effects), without typing
 * a chat id. The buttons are signed for the creator they were sent to, and a press is checked
 * against the creators again (a manager removed since cannot use an old one).
 */
export function unboundChatFeature(deps: TelegramDeps): Composer<TgContext> {
  const { services, log, signer } = deps;
  const composer = new Composer<TgContext>();

  // Before the chat member feature (which alerts about bound chats): this one always passes on.
  composer.on("my_chat_member", async (ctx, next) => {
    const change = ctx.myChatMember;
    const chat = change.chat;
    const added =
      isInChat(change.new_chat_member) &&
      (!isInChat(change.old_chat_member) ||
        (!isAdministrator(change.old_chat_member) && isAdministrator(change.new_chat_member)));
    if (added && chat.type !== "private") {
      const bound = await services.app.isTierTarget({ platform: "telegram", chatId: String(chat.id) });
      if (!bound) await offer(chat.id, chat.title);
    }
    return next();
  });

  const offer = async (chatId: number, title: string): Promise<void> => {
    const tiers = await services.app.listTiers();
    const recipients = await deps.alerts.recipients();
    log.info(
      { event: "telegram.unbound_chat_offered", chatId, tiers: tiers.length, creators: recipients.length },
      "the bot was added to a chat no tier opens; offering the creators to bind it",
    );
    for (const id of recipients) {
      const locale = await localeOfUser(services.app, id);
      const keyboard: InlineKeyboardButton[][] = tiers.map((tier) => [
        {
          text: t(locale, "telegram.offer.button", { chat: title, tier: tier.name }),
          callback_data: signer.sign(Number(id), `ob:${chatId}:${tier.id.slice(0, TIER_PREFIX)}`),
        },
      ]);
      try {
        const r = await sendPrivate(
          deps.api,
          id,
          t(locale, tiers.length ? "telegram.offer.text" : "telegram.offer.no_tier", { chat: title }),
          keyboard.length ? { inline_keyboard: keyboard } : undefined,
        );
        if (r === "unreachable")
          log.warn(
            { event: "telegram.unbound_chat_unreachable", creatorId: id, chatId },
            "cannot message a creator: they must send /start to the bot once",
          );
      } catch (err) {
        log.warn(
          { event: "telegram.unbound_chat_offer_failed", creatorId: id, chatId, err },
          "offer not sent",
        );
      }
    }
  };

  composer.callbackQuery(/^ob:/, async (ctx) => {
    const payload = signer.verify(ctx.from.id, ctx.callbackQuery.data);
    const [, chatRef, prefix] = payload?.split(":") ?? [];
    if (!payload || !chatRef || !prefix || !/^-?\d{1,20}$/.test(chatRef)) {
      log.warn(
        { event: "telegram.callback_rejected", userId: ctx.from.id },
        "callback data that this bot did not sign for this user",
      );
      return ctx.answerCallbackQuery({ text: ctx.t("telegram.callback.invalid"), show_alert: true });
    }
    if (!(await isCreator(deps, ctx.from.id))) {
      log.info(
        { event: "telegram.creator_refused", userId: ctx.from.id, text: "ob" },
        "bind button pressed by someone who is not a creator",
      );
      return ctx.answerCallbackQuery({ text: ctx.t("telegram.creator.only"), show_alert: true });
    }
    await ctx.answerCallbackQuery({ text: ctx.t("telegram.callback.working") });
    const chatId = Number(chatRef);
    const tiers = (await services.app.listTiers()).filter((t) => t.id.startsWith(prefix));
    if (tiers.length !== 1) return ctx.reply(ctx.t("telegram.offer.tier_gone"));
    const tier = tiers[0]!;

    let title: string;
    let me: Awaited<ReturnType<typeof ctx.api.getChatMember>>;
    try {
      const found = await ctx.api.getChat(chatId);
      title = "title" in found && found.title ? found.title : chatRef;
      me = await ctx.api.getChatMember(chatId, deps.botId);
    } catch (err) {
      if (err instanceof GrammyError && err.error_code < 500)
        return ctx.reply(ctx.t("telegram.bind.chat_not_found"));
      throw err;
    }
    const missing = missingRights(me);
    if (missing.length > 0) {
      log.info(
        { event: "telegram.bind_refused", chatId, why: "bot_rights", missing },
        "bind refused: the bot lacks rights",
      );
      const key = isAdministrator(me) ? "telegram.offer.bot_missing_rights" : "telegram.offer.bot_not_admin";
      return ctx.reply(ctx.t(key, { missing: rightsText(ctx.locale, missing) }));
    }
    // The same path as /bindcode + /bind: a code made and spent at once.
    const by = `telegram:${ctx.from.id}`;
    const made = await services.app.createBindCode({ tier: tier.id, createdBy: by });
    const bound = await services.app.redeemBindCode({
      code: made.code,
      chatId: String(chatId),
      chatTitle: title,
      redeemedBy: by,
    });
    return ctx.reply(ctx.t("telegram.bind.done", { chat: title, tier: bound.tierName }));
  });

  return composer;
}
