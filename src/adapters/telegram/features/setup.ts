import { createHash, randomInt, timingSafeEqual } from "node:crypto";
import { Composer } from "grammy";
import { setCreatorMenu } from "../commandMenu.ts";
import type { TgContext } from "../context.ts";
import type { TelegramDeps } from "../deps.ts";
import { argsOf } from "./creatorGuard.ts";

/** No 0/O, 1/I/L: copied from a log by eye without mistakes. */
const CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
const CODE_LENGTH = 10;
export const SETUP_CODE_TTL_MS = 60 * 60 * 1000;

/**
 * The first hour of a bot started without TELEGRAM_CREATOR_IDS: at start-up, while the bot has no
 * creator, it prints a one-time set-up code in its log (only whoever reads the server's log has
 * it); the creator sends `/setup <code>` in private and becomes the creator, stored in the database
 * (settings.telegramCreatorIds). The code lives in memory only: it expires after an hour, a restart
 * makes a new one, and it works once. Tries are counted per account in `link_attempt` (under
 * "setup:<id>", apart from link codes) and refused past the allowance without a look at the code.
 */
export function setupFeature(deps: TelegramDeps, opts: { onCreatorAdded: () => void }) {
  const { services, log } = deps;
  let current: { code: string; expiresAt: number } | undefined;

  const hasCreator = async (): Promise<boolean> => {
    if (deps.config.creatorIds.length > 0) return true;
    const settings = await services.app.getSettings();
    return settings.telegramCreatorIds.length + settings.telegramManagerIds.length > 0;
  };

  /** Called once Telegram answered getMe: the message names the bot's @username. */
  const announce = async (): Promise<void> => {
    if (current || (await hasCreator())) return;
    const code = Array.from(
      { length: CODE_LENGTH },
      () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)],
    ).join("");
    current = { code, expiresAt: services.clock.now().getTime() + SETUP_CODE_TTL_MS };
    // The one line that carries the code: the field is not a redacted path, and no other line
    // (refusals, the success) names it.
    log.warn(
      { event: "telegram.setup_code", code, expiresInMinutes: SETUP_CODE_TTL_MS / 60_000 },
      `no creator yet: send "/setup ${code}" to @${deps.botUsername() ?? "your bot"} in a private chat within ${SETUP_CODE_TTL_MS / 60_000} minutes to become its creator (or set TELEGRAM_CREATOR_IDS)`,
    );
  };

  const composer = new Composer<TgContext>();
  composer.chatType("private").command("setup", async (ctx) => {
    const userId = ctx.from.id;
    if (deps.config.creatorIds.length > 0) return ctx.reply(ctx.t("telegram.setup.from_env"));
    if (await hasCreator()) return ctx.reply(ctx.t("telegram.setup.already"));
    const now = services.clock.now();
    const minutes = await services.app.countAttempt("telegram", `setup:${userId}`, now);
    if (minutes !== null) {
      log.warn(
        { event: "telegram.setup_throttled", userId, minutes },
        "too many set-up code tries; refused without checking the code",
      );
      return ctx.reply(ctx.t("telegram.setup.throttled", { minutes }));
    }
    const [given] = argsOf(ctx);
    if (!given) return ctx.reply(ctx.t("telegram.setup.usage"));
    const code = current;
    if (!code) return ctx.reply(ctx.t("telegram.setup.no_code"));
    // Constant time whatever the length: digests of the same size are compared.
    const digest = (text: string) => createHash("sha256").update(text).digest();
    const normalized = given.toUpperCase().replace(/[\s-]/g, "");
    if (!timingSafeEqual(digest(normalized), digest(code.code))) {
      log.info({ event: "telegram.setup_refused", userId }, "wrong set-up code");
      return ctx.reply(ctx.t("telegram.setup.wrong"));
    }
    if (code.expiresAt <= now.getTime()) {
      current = undefined;
      return ctx.reply(ctx.t("telegram.setup.expired"));
    }
    // Spent before any await: two presses of the right code cannot both win.
    current = undefined;
    await services.app.updateSettings({ set: { telegramCreatorIds: [String(userId)] } });
    await services.app.clearAttempts("telegram", `setup:${userId}`);
    log.warn(
      { event: "telegram.setup_done", userId },
      "a Telegram user claimed the bot with the set-up code",
    );
    try {
      await setCreatorMenu(deps.api, ctx.chat.id);
    } catch (err) {
      log.warn({ event: "telegram.commands_scope_failed", creatorId: userId, err }, "creator menu not set");
    }
    opts.onCreatorAdded();
    return ctx.reply(ctx.t("telegram.setup.done", { bot: deps.botUsername() ?? "your_bot" }));
  });

  return { composer, announce };
}
