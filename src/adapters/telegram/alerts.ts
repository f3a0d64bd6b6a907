import type { Api } from "grammy";
import type { PortUseCases } from "../../app/useCases.ts";
import { type Locale, type ParamsOf, t } from "../../i18n/index.ts";
import type { Logger } from "../../log.ts";
import { localeOfUser, sendPrivate } from "./messaging.ts";

/**
 * Messages to the creator and managers about things only they can fix (bot removed from a chat,
 * rights lost). An access change that failed for good goes to the creator's feed (src/app/feed.ts). The same alert about the same chat is sent
 * at most once per quarter of an hour: a lost right fails every job in that chat.
 */
export interface CreatorAlerts {
  recipients(): Promise<string[]>;
  /** `params` may depend on the recipient's language (a list of rights, say). */
  send<K extends AlertKey>(
    key: K,
    params: ParamsOf<K> | ((locale: Locale) => ParamsOf<K>),
    throttleKey: string,
  ): Promise<void>;
}

type AlertKey =
  | "telegram.alert.bot_removed"
  | "telegram.alert.rights_lost"
  | "telegram.alert.roadmap_not_pinned";

const THROTTLE_MS = 15 * 60 * 1000;

export function createCreatorAlerts(deps: {
  api: Api;
  app: Pick<PortUseCases, "getSettings" | "storedLocale">;
  log: Logger;
  creatorIds: readonly string[];
}): CreatorAlerts {
  const lastSent = new Map<string, number>();
  const recipients = async () => {
    const settings = await deps.app.getSettings();
    return [...new Set([...deps.creatorIds, ...settings.telegramCreatorIds, ...settings.telegramManagerIds])];
  };
  return {
    recipients,
    async send(key, params, throttleKey) {
      const previous = lastSent.get(throttleKey);
      if (previous !== undefined && Date.now() - previous < THROTTLE_MS) return;
      lastSent.set(throttleKey, Date.now());
      const paramsFor = params as object | ((locale: Locale) => object);
      for (const id of await recipients()) {
        try {
          const locale = await localeOfUser(deps.app, id);
          const r = await sendPrivate(
            deps.api,
            id,
            t(
              locale,
              key as AlertKey,
              (typeof paramsFor === "function" ? paramsFor(locale) : paramsFor) as never,
            ),
          );
          if (r === "unreachable")
            deps.log.warn(
              { event: "telegram.alert_unreachable", creatorId: id, alert: key },
              "cannot message a creator: they must send /start to the bot once",
            );
        } catch (err) {
          deps.log.warn({ event: "telegram.alert_failed", creatorId: id, alert: key, err }, "alert not sent");
        }
      }
    },
  };
}
