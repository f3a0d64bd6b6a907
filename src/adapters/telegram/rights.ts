import type { ChatMember } from "grammy/types";
import type { Locale } from "../../i18n/index.ts";
import { t } from "../../i18n/index.ts";

/**
 * What the bot must be allowed to do in a bound chat: make invite links and answer join requests
 * (can_invite_users), and remove people whose membership ended (can_restrict_members, for ban+unban).
 */
export const REQUIRED_RIGHTS = ["can_invite_users", "can_restrict_members"] as const;
export type RequiredRight = (typeof REQUIRED_RIGHTS)[number];

export function missingRights(me: ChatMember): RequiredRight[] {
  if (me.status === "creator") return [];
  if (me.status !== "administrator") return [...REQUIRED_RIGHTS];
  return REQUIRED_RIGHTS.filter((r) => !me[r]);
}

export function isAdministrator(m: ChatMember): boolean {
  return m.status === "creator" || m.status === "administrator";
}

/** In the chat now (a restricted member still is one while is_member holds). */
export function isInChat(m: ChatMember): boolean {
  return (
    m.status === "member" ||
    m.status === "administrator" ||
    m.status === "creator" ||
    (m.status === "restricted" && m.is_member)
  );
}

export function rightsText(locale: Locale, rights: readonly RequiredRight[]): string {
  return rights.map((r) => t(locale, `telegram.right.${r}`)).join(", ");
}
