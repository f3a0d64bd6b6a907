import { targetKey } from "../core/access.ts";
import type { Logger } from "../log.ts";
import type { Db } from "./db.ts";

/**
 * A Telegram group that becomes a supergroup gets a new chat id, and the old id answers every call
 * with 400 `migrate_to_chat_id`. The bindings follow it (the tiers' access rows, the access jobs
 * keyed by the chat, the invite links on record) instead of every grant and removal dead-lettering.
 * Called by the running bot when the migration's service message arrives, and by
 * `npm run doctor -- --fix` when getChat answers the migration error (the bot was down meanwhile).
 * Idempotent: a second call finds nothing left under the old id.
 */
export async function migrateTelegramChat(
  deps: { db: Db; log: Logger },
  move: { from: string; to: string; by: "telegram" | "doctor" },
): Promise<{ bindings: number }> {
  const oldKey = targetKey({ platform: "telegram", chatId: move.from });
  const newKey = targetKey({ platform: "telegram", chatId: move.to });
  const moved = await deps.db.$transaction(async (tx) => {
    const rows = await tx.tierAccess.findMany({ where: { platform: "telegram", chatId: move.from } });
    for (const row of rows) {
      const clash = await tx.tierAccess.findUnique({
        where: { tierId_targetKey: { tierId: row.tierId, targetKey: newKey } },
      });
      if (clash) await tx.tierAccess.delete({ where: { id: row.id } });
      else
        await tx.tierAccess.update({ where: { id: row.id }, data: { chatId: move.to, targetKey: newKey } });
    }
    // A job already queued under the new id holds the newer wish: the old one is dropped.
    await tx.$executeRaw`DELETE FROM access_job o WHERE o.platform = 'telegram' AND o.target_key = ${oldKey}
      AND EXISTS (SELECT 1 FROM access_job n WHERE n.platform = 'telegram' AND n.target_key = ${newKey}
        AND n.platform_user_id = o.platform_user_id)`;
    await tx.accessJob.updateMany({
      where: { platform: "telegram", targetKey: oldKey },
      data: { targetKey: newKey },
    });
    await tx.telegramInvite.updateMany({ where: { chatId: move.from }, data: { chatId: move.to } });
    return rows.length;
  });
  if (moved > 0) {
    deps.log.warn(
      {
        event: "telegram.chat_migrated",
        fromChatId: move.from,
        toChatId: move.to,
        bindings: moved,
        by: move.by,
      },
      "a bound group became a supergroup: its bindings now use the new chat id",
    );
  }
  return { bindings: moved };
}
