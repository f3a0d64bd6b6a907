import type { InlineKeyboardMarkup } from "grammy/types";
import { type Locale, t } from "../../i18n/index.ts";
import type { TelegramPortDeps } from "./deps.ts";

/**
 * The button on the message telling a fan they were removed from a chat: one tap to join again,
 * the tier's default price. The callback is signed for this fan (callbackData.ts): another account
 * pressing a copy of it is refused, and a press starts Checkout for the presser's own account only.
 * None when no tier still for sale opens the chat.
 */
export async function comeBackKeyboard(
  deps: Pick<TelegramPortDeps, "services" | "signer">,
  userId: string,
  chatId: string,
  locale: Locale,
): Promise<InlineKeyboardMarkup | undefined> {
  const opening = await deps.services.app.tiersOpening({ platform: "telegram", chatId });
  const tier = opening.map((o) => o.tier).find((x) => x.archivedAt === null);
  if (!tier) return undefined;
  return {
    inline_keyboard: [
      [
        {
          text: t(locale, "telegram.revoke.come_back"),
          callback_data: deps.signer.sign(Number(userId), `buy:${tier.id}`),
        },
      ],
    ],
  };
}
