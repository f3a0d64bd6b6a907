import type { Platform } from "./access.ts";
/**
 * How a creator names a member in a command: a Telegram id (or tg:<id>, telegram:<id>), @username
 * (a Telegram username, any case), discord:<id> (or dc:<id>), a Stripe customer id (cus_…), or else
 * a member id. Pure: src/app/members/memberRef.ts looks the reference up.
 */
export type MemberRef =
  | { kind: "account"; platform: Platform; userId: string }
  | { kind: "username"; platform: "telegram"; username: string }
  | { kind: "customer"; customerId: string }
  | { kind: "member"; memberId: string };

export function parseMemberRef(ref: string): MemberRef {
  const telegram = /^(?:tg:|telegram:)?(\d{1,20})$/.exec(ref);
  if (telegram) return { kind: "account", platform: "telegram", userId: telegram[1]! };
  const discord = /^(?:dc:|discord:)(\d{17,20})$/.exec(ref);
  if (discord) return { kind: "account", platform: "discord", userId: discord[1]! };
  if (ref.startsWith("@")) return { kind: "username", platform: "telegram", username: ref.slice(1) };
  if (ref.startsWith("cus_")) return { kind: "customer", customerId: ref };
  return { kind: "member", memberId: ref };
}
