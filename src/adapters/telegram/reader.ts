import type { AccessReader } from "../../app/reconcile/platforms.ts";
import { isUnknownUser } from "./apiErrors.ts";
import type { TelegramPortDeps } from "./deps.ts";
import { isInChat } from "./rights.ts";

/**
 * Who is in a chat, for reconciliation. Bots cannot list a chat's members, so Telegram answers one
 * user at a time (getChatMember). null = cannot tell (chat gone, bot removed or without rights,
 * network): reconciliation then leaves the target alone instead of acting on a guess.
 */
export function createTelegramReader(deps: Pick<TelegramPortDeps, "api" | "log">): AccessReader {
  return {
    platform: "telegram",
    async holds(userId, target) {
      if (target.platform !== "telegram") return null;
      try {
        return isInChat(await deps.api.getChatMember(target.chatId, Number(userId)));
      } catch (err) {
        if (isUnknownUser(err)) return false;
        deps.log.warn(
          { event: "telegram.read_failed", chatId: target.chatId, err },
          "cannot read a chat member for reconciliation",
        );
        return null;
      }
    },
  };
}
