import type { Platform } from "../../core/access.ts";
import type { Logger } from "../../log.ts";
import type { Tx } from "../db.ts";
import { scheduleTaskOnce } from "../tasks.ts";

/**
 * The cross-platform nudge: a member whose tier also opens chats on a platform where they have no
 * account linked is told so, once, with a one-tap /link. The message is a durable task keyed by the
 * member and the platform, so a replayed checkout, a second purchase or a restart never sends it twice.
 */

/** A platform a tier's access opens where the member has no account (and that is not `besides`), or null. */
export function unlinkedPlatformOpened(
  access: readonly { platform: Platform }[],
  identities: readonly { platform: Platform }[],
  besides?: Platform,
): Platform | null {
  const linked = new Set(identities.map((i) => i.platform));
  return access.map((a) => a.platform).find((p) => p !== besides && !linked.has(p)) ?? null;
}

/** Statuses of a membership that was just paid for (or started its trial). */
const PAID = ["active", "trialing", "lifetime"];

export const linkNudgeKey = (memberId: string, platform: Platform) =>
  `notify:link_nudge:${memberId}:${platform}`;

/** After a payment: queues the nudge for each platform the member's tiers open where they have no account. */
export async function queueLinkNudges(tx: Tx, memberId: string, now: Date, log: Logger): Promise<void> {
  const member = await tx.member.findUnique({
    where: { id: memberId },
    include: {
      identities: { select: { platform: true } },
      subscriptions: {
        where: { status: { in: PAID } },
        include: { tier: { include: { access: { select: { platform: true } } } } },
        orderBy: { startedAt: "desc" },
      },
    },
  });
  if (!member || member.identities.length === 0) return;
  const told = new Set<Platform>();
  for (const sub of member.subscriptions) {
    if (!sub.tier) continue;
    const platform = unlinkedPlatformOpened(sub.tier.access, member.identities);
    if (!platform || told.has(platform)) continue;
    told.add(platform);
    const queued = await scheduleTaskOnce(tx, {
      key: linkNudgeKey(memberId, platform),
      kind: "member.notify",
      payload: { memberId, template: "link_nudge", tierName: sub.tier.name, platform },
      runAfter: now,
      now,
    });
    if (queued)
      log.info(
        { event: "member.link_nudge_queued", memberId, platform, tierId: sub.tier.id },
        `the member will be told their tier also opens ${platform}`,
      );
  }
}
