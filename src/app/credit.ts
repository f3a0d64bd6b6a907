import type { Identity } from "../core/access.ts";
import { DomainError } from "../errors.ts";
import type { Db } from "./db.ts";
import { CLEAR, cleanText } from "./profile.ts";

/**
 * How a fan is credited on the roadmap for the ideas they proposed: a name they choose, or
 * anonymously (the default, and what `-` goes back to). The name is checked here once, whichever
 * platform it was typed on: one line, no control or bidirectional characters; every place that
 * shows it escapes it its own way (the page escapes HTML, Discord pings nobody, Telegram sends
 * plain text).
 */
export const CREDIT_NAME_MAX = 32;

export async function setCreditName(db: Db, who: Identity, raw: string): Promise<{ name: string | null }> {
  const identity = await db.identity.findUnique({
    where: { platform_platformUserId: { platform: who.platform, platformUserId: who.userId } },
  });
  if (!identity) throw new DomainError("credit_not_member");
  const anonymous = raw.trim() === CLEAR;
  const name = anonymous ? null : cleanText(raw, false);
  if (name !== null && (name.length < 2 || name.length > CREDIT_NAME_MAX))
    throw new DomainError("credit_name_invalid", { max: CREDIT_NAME_MAX });
  await db.member.update({ where: { id: identity.memberId }, data: { creditName: name } });
  return { name };
}
