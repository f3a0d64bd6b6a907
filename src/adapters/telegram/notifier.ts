import type { Notifier } from "../../app/notify.ts";
import { localeOf, noticeText, t } from "../../i18n/index.ts";
import { jobFailure } from "./apiErrors.ts";
import type { TelegramPortDeps } from "./deps.ts";
import { sendPrivate } from "./messaging.ts";

/**
 * Private messages to fans (payment trouble with the portal link, access granted or revoked, the
 * nudge to link the other platform with a one-tap /link button signed for the fan).
 */
export function createTelegramNotifier(deps: Pick<TelegramPortDeps, "api" | "signer">): Notifier {
  return {
    platform: "telegram",
    async notify(userId, rawLocale, notice) {
      const locale = localeOf(rawLocale);
      const keyboard =
        "portalUrl" in notice && notice.portalUrl
          ? { inline_keyboard: [[{ text: t(locale, "telegram.portal.button"), url: notice.portalUrl }]] }
          : notice.template === "link_nudge"
            ? {
                inline_keyboard: [
                  [
                    {
                      text: t(locale, "telegram.link.button"),
                      callback_data: deps.signer.sign(Number(userId), "link"),
                    },
                  ],
                ],
              }
            : undefined;
      try {
        const r = await sendPrivate(deps.api, userId, noticeText(locale, notice), keyboard);
        return { outcome: "done", note: r === "sent" ? "sent" : "fan cannot be messaged" };
      } catch (err) {
        return jobFailure(err, `message to ${userId}`);
      }
    },
  };
}
