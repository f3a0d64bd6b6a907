import type { Api } from "grammy";
import type { AdapterServices, PortServices } from "../../app/services.ts";
import type { TelegramConfig } from "../../config.ts";
import type { Logger } from "../../log.ts";
import type { CreatorAlerts } from "./alerts.ts";
import type { CallbackSigner } from "./callbackData.ts";
import type { InviteStore } from "./invites.ts";

/** What the Telegram ports get (built before the services: no platforms in them). */
export interface TelegramPortDeps {
  services: PortServices;
  config: TelegramConfig;
  api: Api;
  log: Logger;
  /** Telegram bot ids are the number before the colon of the token: known before getMe answers. */
  botId: number;
  /** The bot's @username once getMe answered (deep links); undefined before. */
  botUsername(): string | undefined;
  signer: CallbackSigner;
  invites: InviteStore;
  alerts: CreatorAlerts;
  /** Aborted when the bot stops receiving updates: in-process retries of an update give up then. */
  stopping: AbortSignal;
}

/** What every Telegram feature gets, built once in createTelegramPlatform's attach. */
export interface TelegramDeps extends TelegramPortDeps {
  services: AdapterServices;
}

/** t.me deep link that opens the bot with /start <payload>. */
export function deepLink(deps: Pick<TelegramDeps, "botUsername">, payload?: string): string {
  const base = `https://t.me/${deps.botUsername() ?? "your_bot"}`;
  return payload ? `${base}?start=${encodeURIComponent(payload)}` : base;
}
