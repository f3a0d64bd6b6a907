import { randomInt } from "node:crypto";
import type { Identity, Platform } from "../../core/access.ts";
import { DomainError } from "../../errors.ts";
import { type Db, isUniqueViolation } from "../db.ts";
import { syncMemberAccess } from "../membership/syncMemberAccess.ts";
import { spendToken } from "../rateLimits.ts";
import { memberForIdentity } from "./identity.ts";
import type { FanIdentity, MemberDeps } from "./types.ts";

/** No 0/O, 1/I/L: read aloud or typed from a phone without mistakes. */
const CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
const CODE_LENGTH = 8;
export const LINK_CODE_TTL_MS = 15 * 60 * 1000;

/** Codes one account may try per window before `/link <code>` is refused without a look-up. */
export const LINK_ATTEMPTS_PER_WINDOW = 5;
export const LINK_ATTEMPT_WINDOW_MS = 15 * 60 * 1000;

export function normalizeLinkCode(raw: string): string {
  return raw.toUpperCase().replace(/[\s-]/g, "");
}

export function formatLinkCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/** A single-use code, valid 15 minutes, that links this account's membership to the other platform. */
export async function createLinkCode(
  deps: MemberDeps,
  who: FanIdentity,
): Promise<{ code: string; expiresAt: Date }> {
  await spendToken(deps, "link_code", who);
  const memberId = await memberForIdentity(deps.db, who);
  const now = deps.clock.now();
  const expiresAt = new Date(now.getTime() + LINK_CODE_TTL_MS);
  // Only the newest code works: an older one left in a chat cannot be used by someone else.
  await deps.db.linkCode.updateMany({ where: { memberId, usedAt: null }, data: { expiresAt: now } });
  for (;;) {
    const code = Array.from(
      { length: CODE_LENGTH },
      () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)],
    ).join("");
    try {
      await deps.db.linkCode.create({ data: { code, memberId, fromPlatform: who.platform, expiresAt } });
      deps.log.info({ event: "link.code_created", memberId, platform: who.platform }, "link code created");
      return { code: formatLinkCode(code), expiresAt };
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
    }
  }
}

/**
 * Redeems a link code on the other platform: the account joins the code's membership and gets
 * that membership's access there at once.
 */
export async function redeemLinkCode(
  deps: MemberDeps,
  who: FanIdentity,
  rawCode: string,
): Promise<{ memberId: string; grants: number }> {
  const code = normalizeLinkCode(rawCode);
  if (code.length !== CODE_LENGTH || [...code].some((c) => !CODE_ALPHABET.includes(c)))
    throw new DomainError("link_code_invalid");
  const now = deps.clock.now();
  await countLinkAttempt(deps, who, now);
  const result = await deps.db.$transaction(async (tx) => {
    const row = await tx.linkCode.findUnique({ where: { code } });
    if (!row) throw new DomainError("link_code_invalid");
    if (row.usedAt) throw new DomainError("link_code_used");
    if (row.expiresAt.getTime() <= now.getTime()) throw new DomainError("link_code_expired");
    if (row.fromPlatform === who.platform)
      throw new DomainError("link_code_same_platform", { platform: who.platform });
    const taken = await tx.identity.findUnique({
      where: { platform_platformUserId: { platform: who.platform, platformUserId: who.userId } },
      include: { member: { include: { subscriptions: { select: { id: true } }, identities: true } } },
    });
    if (taken?.memberId === row.memberId) throw new DomainError("already_linked");
    const sibling = await tx.identity.findUnique({
      where: { memberId_platform: { memberId: row.memberId, platform: who.platform } },
    });
    if (sibling) throw new DomainError("member_has_other_account", { platform: who.platform });
    if (taken) {
      const other = taken.member;
      const empty =
        other.subscriptions.length === 0 && other.stripeCustomerId === null && other.identities.length === 1;
      if (!empty) throw new DomainError("identity_taken", { platform: who.platform });
      // The account only had an empty membership (it opened a command once): fold it in.
      await tx.identity.delete({
        where: { platform_platformUserId: { platform: who.platform, platformUserId: who.userId } },
      });
      await tx.member.delete({ where: { id: other.id } });
    }
    const used = await tx.linkCode.updateMany({ where: { code, usedAt: null }, data: { usedAt: now } });
    if (used.count === 0) throw new DomainError("link_code_used");
    // Linked: the account's allowance starts afresh.
    await tx.linkAttempt.deleteMany({ where: { platform: who.platform, platformUserId: who.userId } });
    await tx.identity.create({
      data: {
        platform: who.platform,
        platformUserId: who.userId,
        memberId: row.memberId,
        username: who.username ?? null,
        locale: who.locale ?? null,
      },
    });
    await tx.memberHistory.create({
      data: {
        memberId: row.memberId,
        actor: `${who.platform}:${who.userId}`,
        action: "identity.linked",
        toState: `${who.platform}:${who.userId}`,
        reason: `linked with a code created on ${row.fromPlatform}`,
      },
    });
    const r = await syncMemberAccess(tx, row.memberId, {
      actor: `${who.platform}:${who.userId}`,
      reason: `${who.platform} account linked`,
      stripeEventId: null,
      now,
    });
    return { memberId: row.memberId, grants: r.grants };
  });
  deps.log.info(
    { event: "link.redeemed", memberId: result.memberId, platform: who.platform, grants: result.grants },
    "accounts linked",
  );
  if (result.grants > 0) deps.onWork?.();
  return result;
}

/**
 * Counts one code attempt of this account, atomically (concurrent attempts each take a place), in a
 * fixed window that starts with the first attempt. Past LINK_ATTEMPTS_PER_WINDOW the attempt is
 * refused before the code is looked up: a wrong code and a right one get the same answer, so eight
 * characters (31^8 codes) cannot be searched from one account. A successful link clears the count.
 */
async function countLinkAttempt(deps: MemberDeps, who: Identity, now: Date): Promise<void> {
  const minutes = await countAttempt(deps.db, who.platform, who.userId, now);
  if (minutes === null) return;
  deps.log.warn(
    { event: "link.throttled", platform: who.platform, userId: who.userId, minutes },
    "too many link code attempts; refused without checking the code",
  );
  throw new DomainError("link_too_many_attempts", { minutes });
}

/**
 * One attempt at a guessable code under `key` (a user id; other codes use a prefixed key, such as
 * "setup:<id>", so their counts stay apart). Returns null while within the allowance, else the
 * minutes until the window ends.
 */
export async function countAttempt(
  db: Db,
  platform: Platform,
  key: string,
  now: Date,
): Promise<number | null> {
  const windowFloor = new Date(now.getTime() - LINK_ATTEMPT_WINDOW_MS);
  const [row] = await db.$queryRaw<{ attempts: number; window_start: Date }[]>`
    INSERT INTO link_attempt (platform, platform_user_id, window_start, attempts)
    VALUES (${platform}::"Platform", ${key}, ${now}, 1)
    ON CONFLICT (platform, platform_user_id) DO UPDATE SET
      window_start = CASE WHEN link_attempt.window_start <= ${windowFloor} THEN EXCLUDED.window_start
                          ELSE link_attempt.window_start END,
      attempts = CASE WHEN link_attempt.window_start <= ${windowFloor} THEN 1
                      ELSE link_attempt.attempts + 1 END
    RETURNING attempts, window_start`;
  if (!row || row.attempts <= LINK_ATTEMPTS_PER_WINDOW) return null;
  const retryAt = row.window_start.getTime() + LINK_ATTEMPT_WINDOW_MS;
  return Math.max(1, Math.ceil((retryAt - now.getTime()) / 60_000));
}

/** Forgets the attempts counted under `key` (the code was right: the next wrong one starts afresh). */
export async function clearAttempts(db: Db, platform: Platform, key: string): Promise<void> {
  await db.linkAttempt.deleteMany({ where: { platform, platformUserId: key } });
}
