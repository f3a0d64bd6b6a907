import type { Db } from "./db.ts";

/**
 * The personal invite links a platform adapter made (Telegram's join-request links, one fan and one
 * chat each), so that a request through a link is matched with the fan it was made for, and the links
 * of a lapsed fan are revoked. The adapter talks to the platform; these record what it did.
 */

/** A link the adapter made for this fan and chat. */
export async function recordInvite(
  db: Db,
  invite: { inviteLink: string; chatId: string; userId: string },
): Promise<void> {
  await db.telegramInvite.create({ data: invite });
}

/** The fan's links to this chat that were not revoked yet. */
export async function liveInvites(db: Db, chatId: string, userId: string): Promise<string[]> {
  const rows = await db.telegramInvite.findMany({
    where: { chatId, userId, revokedAt: null },
    select: { inviteLink: true },
  });
  return rows.map((r) => r.inviteLink);
}

/** The link was revoked on the platform. */
export async function markInviteRevoked(db: Db, inviteLink: string, now: Date): Promise<void> {
  await db.telegramInvite.updateMany({ where: { inviteLink, revokedAt: null }, data: { revokedAt: now } });
}

/** Whom a link was made for, if the bot made it. */
export async function inviteOwner(
  db: Db,
  inviteLink: string,
): Promise<{ chatId: string; userId: string; revoked: boolean } | null> {
  const row = await db.telegramInvite.findUnique({ where: { inviteLink } });
  return row ? { chatId: row.chatId, userId: row.userId, revoked: row.revokedAt !== null } : null;
}
