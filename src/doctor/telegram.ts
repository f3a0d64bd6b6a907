import { Api, GrammyError } from "grammy";
import type { ChatFullInfo } from "grammy/types";
import { migrateTelegramChat } from "../app/chatMigration.ts";
import type { Db } from "../app/db.ts";
import { getSettings } from "../app/settings.ts";
import type { TelegramConfig } from "../config.ts";
import type { Logger } from "../log.ts";
import { blocking, type CheckResult, fixed, ok, warning } from "./report.ts";

const AREA = "Telegram";
const RIGHTS = "chat → Administrators → the bot: Invite users via link and Ban users";

/** Telegram: who may manage the tribe, then each bound chat as the bot stands in it now. */
export async function checkTelegram(opts: {
  config: TelegramConfig;
  db: Db;
  log: Logger;
  fix: boolean;
}): Promise<CheckResult[]> {
  const { config, db, fix } = opts;
  const api = new Api(config.token, { apiRoot: config.apiUrl, timeoutSeconds: 15 });
  const results: CheckResult[] = [];
  let botId: number;
  try {
    botId = (await api.getMe()).id;
  } catch (err) {
    results.push(
      blocking(
        AREA,
        "token",
        err instanceof GrammyError && err.error_code === 401
          ? "TELEGRAM_BOT_TOKEN: Telegram refused the token; ask @BotFather for it again (/mybots → your bot → API Token)"
          : `Telegram could not be read: ${err instanceof Error ? err.message : String(err)} (check TELEGRAM_API_URL and the network)`,
      ),
    );
    return results;
  }

  const settings = await getSettings(db);
  // Creators come from TELEGRAM_CREATOR_IDS or, without it, from /setup (stored); managers add to them.
  const known =
    (config.creatorIds.length ? config.creatorIds.length : settings.telegramCreatorIds.length) +
    settings.telegramManagerIds.length;
  results.push(
    known > 0
      ? ok(AREA, "creators", `${known} creator(s) and manager(s) known`)
      : warning(
          AREA,
          "creators",
          "no creator: nobody can use the creator commands or gets the alerts when the bot loses a chat; put your numeric Telegram user id (ask @userinfobot) in TELEGRAM_CREATOR_IDS, or send the bot /setup with the code its start-up log prints (telegram.setup_code)",
        ),
  );

  const rows = await db.tierAccess.findMany({
    where: { platform: "telegram", chatId: { not: null } },
    include: { tier: { select: { name: true } } },
  });
  const chats = new Map<string, string[]>();
  for (const row of rows) chats.set(row.chatId!, [...(chats.get(row.chatId!) ?? []), row.tier.name]);
  for (const [chatId, tierNames] of chats) {
    results.push(...(await checkChat({ api, db, log: opts.log, botId, chatId, tierNames, fix })));
  }
  if (chats.size === 0)
    results.push(ok(AREA, "chats", "no chat bound yet (/bindcode, then /bind in the chat)"));
  return results;
}

async function checkChat(opts: {
  api: Api;
  db: Db;
  log: Logger;
  botId: number;
  chatId: string;
  tierNames: string[];
  fix: boolean;
}): Promise<CheckResult[]> {
  const { api, botId, fix } = opts;
  let chatId = opts.chatId;
  const tiers = opts.tierNames.map((t) => `“${t}”`).join(", ");
  const results: CheckResult[] = [];
  let chat: ChatFullInfo;
  try {
    chat = await api.getChat(chatId);
  } catch (err) {
    const movedTo = err instanceof GrammyError ? err.parameters.migrate_to_chat_id : undefined;
    if (movedTo === undefined) {
      return [
        blocking(
          AREA,
          "chats",
          `chat ${chatId} (tier ${tiers}) is gone or the bot was removed from it, so fans cannot get in; add the bot back as administrator (${RIGHTS}) and /bind the chat again, or delete it from the tier`,
        ),
      ];
    }
    if (!fix) {
      return [
        blocking(
          AREA,
          "chats",
          `group ${chatId} (tier ${tiers}) became the supergroup ${movedTo} and the binding still names the old id; run npm run doctor -- --fix (a running bot also follows it when it sees the migration)`,
        ),
      ];
    }
    await migrateTelegramChat(
      { db: opts.db, log: opts.log },
      { from: chatId, to: String(movedTo), by: "doctor" },
    );
    results.push(
      fixed(
        AREA,
        "chats",
        `group ${chatId} became the supergroup ${movedTo}: tier ${tiers} now use the new id`,
      ),
    );
    chatId = String(movedTo);
    chat = await api.getChat(chatId);
  }
  const title = "title" in chat && chat.title ? `“${chat.title}”` : chatId;
  const me = await api.getChatMember(chatId, botId);
  if (me.status === "creator") {
    results.push(ok(AREA, "chats", `${title}: the bot owns it`));
    return results;
  }
  if (me.status !== "administrator") {
    results.push(
      blocking(
        AREA,
        "chats",
        `${title} (tier ${tiers}): the bot is no longer an administrator, so it can neither let fans in nor remove them; make it one again: ${RIGHTS}`,
      ),
    );
    return results;
  }
  const missing = [
    ...(me.can_invite_users ? [] : ["Invite users via link"]),
    ...(me.can_restrict_members ? [] : ["Ban users"]),
  ];
  if (missing.length > 0) {
    results.push(
      blocking(
        AREA,
        "chats",
        `${title} (tier ${tiers}): the bot lacks ${missing.join(" and ")}, so it cannot ${me.can_invite_users ? "remove fans whose membership ended" : "let fans in"}; chat → Administrators → the bot: turn on ${missing.join(" and ")}`,
      ),
    );
  } else if (chat.type === "channel" && !me.can_post_messages) {
    results.push(
      warning(
        AREA,
        "chats",
        `${title}: the bot cannot post in the channel, so polls are not published there; channel → Administrators → the bot: Post messages`,
      ),
    );
  } else {
    results.push(
      ok(AREA, "chats", `${title} (tier ${tiers}): the bot is administrator with the rights it needs`),
    );
  }
  return results;
}
