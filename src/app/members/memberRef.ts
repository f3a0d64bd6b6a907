import { parseMemberRef } from "../../core/memberRef.ts";
import { DomainError } from "../../errors.ts";
import type { Db } from "../db.ts";

/**
 * The member a creator named (the grammar: src/core/memberRef.ts). Refuses with member_not_found
 * when no member answers to it.
 */
export async function resolveMemberRef(db: Db, ref: string): Promise<string> {
  const parsed = parseMemberRef(ref);
  switch (parsed.kind) {
    case "account": {
      const identity = await db.identity.findUnique({
        where: { platform_platformUserId: { platform: parsed.platform, platformUserId: parsed.userId } },
      });
      if (identity) return identity.memberId;
      break;
    }
    case "username": {
      const identity = await db.identity.findFirst({
        where: { platform: parsed.platform, username: { equals: parsed.username, mode: "insensitive" } },
      });
      if (identity) return identity.memberId;
      break;
    }
    case "customer": {
      const member = await db.member.findUnique({ where: { stripeCustomerId: parsed.customerId } });
      if (member) return member.id;
      break;
    }
    case "member": {
      const member = await db.member.findUnique({ where: { id: parsed.memberId } });
      if (member) return member.id;
      break;
    }
  }
  throw new DomainError("member_not_found");
}
