import type { Logger } from "../../log.ts";
import type { Db } from "../db.ts";
import { refuseSuspended } from "./checkout.ts";
import { memberForIdentity } from "./identity.ts";
import type { FanIdentity } from "./types.ts";

/**
 * A fan opened the bot: their account is remembered (with their language, for the private messages
 * that come later); a member the creator suspended is refused at once, rather than offered tiers
 * they cannot buy. Returns the member id.
 */
export async function greetFan(deps: { db: Db; log: Logger }, who: FanIdentity): Promise<string> {
  const memberId = await memberForIdentity(deps.db, who);
  const member = await deps.db.member.findUniqueOrThrow({
    where: { id: memberId },
    select: { id: true, suspendedAt: true },
  });
  refuseSuspended(deps, member, who.platform);
  return memberId;
}
