import type { Api } from "grammy";
import type { Db } from "../../app/db.ts";
import { getSettings } from "../../app/settings.ts";
import type { Locale } from "../../i18n/index.ts";
import type { Logger } from "../../log.ts";
import { localeOfUser, sendPrivate } from "./messaging.ts";
import { type StringKey, tr } from "./strings.ts";

/**
 * Messages to the creator and managers about things only they can fix (bot removed from a chat,
 * rights lost, an access change that failed for good). The same alert about the same chat is sent
 * at most once per quarter of an hour: a lost right fails every job in that chat.
 */
export interface CreatorAlerts {
  recipients(): Promise<string[]>;
  /** `params` may depend on the recipient's language (a list of rights, say). */
  send(key: StringKey, params: Params | ((locale: Locale) => Params), throttleKey: string): Promise<void>;
}

type Params = Record<string, string | number>;

const THROTTLE_MS = 15 * 60 * 1000;

export function createCreatorAlerts(deps: {
  api: Api;
  db: Db;
  log: Logger;
  creatorIds: readonly string[];
}): CreatorAlerts {
  const lastSent = new Map<string, number>();
  const recipients = async () => {
    const settings = await getSettings(deps.db);
    return [...new Set([...deps.creatorIds, ...settings.telegramCreatorIds, ...settings.telegramManagerIds])];
  };
  return {
    recipients,
    async send(key, params, throttleKey) {
      const previous = lastSent.get(throttleKey);
      if (previous !== undefined && Date.now() - previous < THROTTLE_MS) return;
      lastSent.set(throttleKey, Date.now());
      for (const id of await recipients()) {
        try {
          const locale = await localeOfUser(deps.db, id);
          const r = await sendPrivate(
            deps.api,
            id,
            tr(locale, key, typeof params === "function" ? params(locale) : params),
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
