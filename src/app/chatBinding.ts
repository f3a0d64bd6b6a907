import { randomInt } from "node:crypto";
import { DomainError } from "../errors.ts";
import type { Logger } from "../log.ts";
import type { Db } from "./db.ts";
import { isUniqueViolation } from "./db.ts";
import { refreshRoadmapSoon } from "./roadmapMessage.ts";
import { addTierAccess, findTier, type TierDeps } from "./tiers.ts";

const ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
export const BIND_CODE_TTL_MS = 30 * 60 * 1000;

/**
 * A creator makes a code (on Discord or Telegram) to bind a Telegram chat to a tier, then sends
 * `/bind <code>` in that chat. The Telegram adapter checks the sender is an administrator of the
 * chat and the bot has the rights it needs before calling `redeemBindCode`.
 */
export async function createBindCode(
  deps: { db: Db; clock: { now(): Date }; log: Logger },
  input: { tier: string; createdBy: string },
): Promise<{ code: string; expiresAt: Date; tierSlug: string }> {
  const tier = await findTier(deps.db, input.tier);
  if (tier.archivedAt) throw new DomainError("tier_archived", { tier: tier.slug });
  const expiresAt = new Date(deps.clock.now().getTime() + BIND_CODE_TTL_MS);
  for (;;) {
    const code = Array.from({ length: 8 }, () => ALPHABET[randomInt(ALPHABET.length)]).join("");
    try {
      await deps.db.chatBindCode.create({
        data: { code, tierId: tier.id, createdBy: input.createdBy, expiresAt },
      });
      deps.log.info(
        { event: "bind.code_created", tierId: tier.id, createdBy: input.createdBy },
        "chat bind code created",
      );
      return { code, expiresAt, tierSlug: tier.slug };
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
    }
  }
}

/** Binds the chat to the code's tier (once); current members of the tier get access to it. */
export async function redeemBindCode(
  deps: TierDeps,
  input: { code: string; chatId: string; chatTitle: string; redeemedBy: string },
): Promise<{ tierSlug: string; tierName: string }> {
  const code = input.code.toUpperCase().replace(/[\s-]/g, "");
  const now = deps.clock.now();
  const row = await deps.db.chatBindCode.findUnique({ where: { code } });
  if (!row) throw new DomainError("bind_code_invalid");
  if (row.usedAt) throw new DomainError("bind_code_used");
  if (row.expiresAt.getTime() <= now.getTime()) throw new DomainError("bind_code_expired");
  // Refuse before spending the code: a chat already bound to this tier must leave the code usable.
  const mapped = await deps.db.tierAccess.findFirst({
    where: { tierId: row.tierId, targetKey: `telegram:${input.chatId}` },
    include: { tier: { select: { slug: true } } },
  });
  if (mapped) throw new DomainError("access_already_mapped", { tier: mapped.tier.slug });
  const { count } = await deps.db.chatBindCode.updateMany({
    where: { code, usedAt: null },
    data: { usedAt: now, usedFor: `telegram:${input.chatId}` },
  });
  if (count === 0) throw new DomainError("bind_code_used");
  const tier = await deps.db.tier.findUniqueOrThrow({ where: { id: row.tierId } });
  await addTierAccess(deps, tier.id, { platform: "telegram", chatId: input.chatId }, input.chatTitle);
  // A new bound chat gets the roadmap message when it is switched on (/roadmapmsg).
  await refreshRoadmapSoon(deps);
  deps.log.info(
    { event: "bind.redeemed", tierId: tier.id, chatId: input.chatId, by: input.redeemedBy },
    `chat bound to tier ${tier.slug}`,
  );
  return { tierSlug: tier.slug, tierName: tier.name };
}
