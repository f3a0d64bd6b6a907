import { Composer } from "grammy";
import type { TgContext } from "../context.ts";
import type { TelegramDeps } from "../deps.ts";

/**
 * A bound group became a supergroup: Telegram posts `migrate_to_chat_id` in the old group (and
 * `migrate_from_chat_id` in the new one, which carries the same pair). Either moves the bindings;
 * the second finds nothing left to move.
 */
export function chatMigrationFeature(deps: TelegramDeps): Composer<TgContext> {
  const composer = new Composer<TgContext>();
  composer.on("message:migrate_to_chat_id", async (ctx) => {
    await deps.services.app.migrateTelegramChat({
      from: String(ctx.chat.id),
      to: String(ctx.message.migrate_to_chat_id),
      by: "telegram",
    });
  });
  composer.on("message:migrate_from_chat_id", async (ctx) => {
    await deps.services.app.migrateTelegramChat({
      from: String(ctx.message.migrate_from_chat_id),
      to: String(ctx.chat.id),
      by: "telegram",
    });
  });
  return composer;
}
