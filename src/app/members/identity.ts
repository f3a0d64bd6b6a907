import { randomUUID } from "node:crypto";
import type { Platform } from "../../core/access.ts";
import { type Db, isUniqueViolation } from "../db.ts";
import type { FanIdentity } from "./types.ts";

/** The member behind a platform account, created (without a Stripe customer yet) if needed. */
export async function memberForIdentity(db: Db, who: FanIdentity): Promise<string> {
  const existing = await db.identity.findUnique({
    where: { platform_platformUserId: { platform: who.platform, platformUserId: who.userId } },
  });
  if (existing) {
    if (
      (who.username && who.username !== existing.username) ||
      (who.locale && who.locale !== existing.locale)
    ) {
      await db.identity.update({
        where: { platform_platformUserId: { platform: who.platform, platformUserId: who.userId } },
        data: {
          ...(who.username ? { username: who.username } : {}),
          ...(who.locale ? { locale: who.locale } : {}),
        },
      });
    }
    return existing.memberId;
  }
  const id = randomUUID();
  try {
    await db.member.create({
      data: {
        id,
        identities: {
          create: {
            platform: who.platform,
            platformUserId: who.userId,
            username: who.username ?? null,
            locale: who.locale ?? null,
          },
        },
      },
    });
    return id;
  } catch (err) {
    // Two commands from the same fan at once: the other one created it.
    if (isUniqueViolation(err)) return memberForIdentity(db, who);
    throw err;
  }
}

/** The language an account last used with the bot (stored on its identity), null when unknown. */
export async function storedLocale(db: Db, platform: Platform, userId: string): Promise<string | null> {
  const identity = await db.identity.findUnique({
    where: { platform_platformUserId: { platform, platformUserId: userId } },
    select: { locale: true },
  });
  return identity?.locale ?? null;
}
