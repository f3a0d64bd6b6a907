import { Composer, GrammyError } from "grammy";
import { usageOf } from "../../../../commands/telegram.ts";
import type { TgContext } from "../context.ts";
import type { TelegramDeps } from "../deps.ts";
import { isAdministrator, missingRights, rightsText } from "../rights.ts";

/** Telegram's placeholder user for messages an administrator sends anonymously in a group. */
const GROUP_ANONYMOUS_BOT = 1087968824;

/**
 * `/bind <code>` in a group (or `/bind <code> <chat>` in private, for channels, where posts have no
 * author): binds the chat to the code's tier once the sender is shown to be an administrator of that
 * chat and the bot holds the rights it needs. Each refusal says what to fix; nothing changes.
 */
export function bindFeature(deps: TelegramDeps): Composer<TgContext> {
  const composer = new Composer<TgContext>();

  composer.command("bind", async (ctx) => {
    if (!ctx.chat || ctx.chat.type === "channel") return undefined;
    const [code, chatRef] = ctx.match.trim().split(/\s+/).filter(Boolean);
    if (!code) return ctx.reply(ctx.t("telegram.bind.usage", { usage: usageOf("bind", ctx.locale) }));
    const from = ctx.from;
    if (!from || ctx.senderChat || from.id === GROUP_ANONYMOUS_BOT)
      return ctx.reply(ctx.t("telegram.bind.anonymous"));

    let chat: { id: number; title: string };
    if (ctx.chat.type === "private") {
      if (!chatRef) return ctx.reply(ctx.t("telegram.bind.private_chat"));
      try {
        const found = await ctx.api.getChat(/^-?\d+$/.test(chatRef) ? Number(chatRef) : chatRef);
        if (found.type === "private") return ctx.reply(ctx.t("telegram.bind.chat_not_found"));
        chat = { id: found.id, title: "title" in found && found.title ? found.title : String(found.id) };
      } catch (err) {
        if (err instanceof GrammyError && err.error_code === 400)
          return ctx.reply(ctx.t("telegram.bind.chat_not_found"));
        throw err;
      }
    } else {
      chat = { id: ctx.chat.id, title: ctx.chat.title };
    }

    let caller: Awaited<ReturnType<typeof ctx.api.getChatMember>>;
    try {
      caller = await ctx.api.getChatMember(chat.id, from.id);
    } catch (err) {
      if (err instanceof GrammyError && err.error_code < 500)
        return ctx.reply(ctx.t("telegram.bind.chat_not_found"));
      throw err;
    }
    if (!isAdministrator(caller)) {
      deps.log.info(
        { event: "telegram.bind_refused", chatId: chat.id, userId: from.id, why: "caller_not_admin" },
        "bind refused: the sender is not an administrator",
      );
      return ctx.reply(ctx.t("telegram.bind.caller_not_admin"));
    }
    const me = await ctx.api.getChatMember(chat.id, deps.botId);
    const missing = missingRights(me);
    if (missing.length > 0) {
      deps.log.info(
        { event: "telegram.bind_refused", chatId: chat.id, why: "bot_rights", missing },
        "bind refused: the bot lacks rights",
      );
      const key = isAdministrator(me) ? "telegram.bind.bot_missing_rights" : "telegram.bind.bot_not_admin";
      return ctx.reply(ctx.t(key, { missing: rightsText(ctx.locale, missing) }));
    }
    const bound = await deps.services.app.redeemBindCode({
      code,
      chatId: String(chat.id),
      chatTitle: chat.title,
      redeemedBy: `telegram:${from.id}`,
    });
    return ctx.reply(ctx.t("telegram.bind.done", { chat: chat.title, tier: bound.tierName }));
  });

  return composer;
}
