import type { Notifier } from "../../app/notify.ts";
import { localeOf, noticeText, t } from "../../i18n/index.ts";
import { jobFailure } from "./apiErrors.ts";
import type { TelegramPortDeps } from "./deps.ts";
import { sendPrivate } from "./messaging.ts";

/** Private messages to fans (payment trouble with the portal link, access granted or revoked). */
export function createTelegramNotifier(deps: Pick<TelegramPortDeps, "api">): Notifier {
  return {
    platform: "telegram",
    async notify(userId, rawLocale, notice) {
      const locale = localeOf(rawLocale);
      const portal =
        notice.template === "payment_failed" && notice.portalUrl
          ? { inline_keyboard: [[{ text: t(locale, "telegram.portal.button"), url: notice.portalUrl }]] }
          : undefined;
      try {
        const r = await sendPrivate(deps.api, userId, noticeText(locale, notice), portal);
        return { outcome: "done", note: r === "sent" ? "sent" : "fan cannot be messaged" };
      } catch (err) {
        return jobFailure(err, `message to ${userId}`);
      }
    },
  };
}
