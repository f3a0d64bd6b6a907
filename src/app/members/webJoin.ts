import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from "node:crypto";
import { type Db, isUniqueViolation } from "../db.ts";
import { tierOnSale } from "../tribePage.ts";
import { type CheckoutOutcome, startCheckout } from "./checkout.ts";
import { memberForIdentity } from "./identity.ts";
import type { MemberDeps } from "./types.ts";

/**
 * Joining from the tribe's page with Discord: the visitor's browser session (a random cookie, stored
 * hashed), the OAuth2 `state` bound to it (single-use, ten minutes), the identity linked to the
 * member, Checkout opened, and the fan's access token sealed until the bot added them to the server.
 */

/** Discord's OAuth2 as the app needs it; the Discord adapter implements it (DISCORD_CLIENT_SECRET). */
export interface DiscordSignIn {
  /** Where the browser goes to sign in (scopes identify and guilds.join). */
  authorizeUrl(input: { state: string; redirectUri: string }): string;
  /** Exchanges the code Discord sent back; rejects when Discord refuses it. */
  exchangeCode(input: { code: string; redirectUri: string }): Promise<DiscordGrant>;
  /** The signed-in user (GET /users/@me with their token). */
  me(accessToken: string): Promise<{ id: string; username: string; locale: string | null }>;
}

export interface DiscordGrant {
  accessToken: string;
  expiresInSeconds: number;
  scopes: string[];
}

export const SESSION_TTL_MS = 24 * 60 * 60 * 1000;
export const SIGN_IN_TTL_MS = 10 * 60 * 1000;
/** Where Discord sends the browser back (served by src/adapters/http/discordJoin.ts). */
export const DISCORD_CALLBACK_PATH = "/join/discord/callback";

const sha256 = (value: string) => createHash("sha256").update(value).digest("hex");
const token = () => randomBytes(32).toString("base64url");

/**
 * A sign-in begins: the browser's session (kept, or a new one when it has none or it expired) and a
 * fresh `state` for it, for a tier on sale. `refused` when the tier is not (archived, unknown).
 */
export async function beginDiscordSignIn(
  deps: { db: Db; clock: { now(): Date } },
  input: { sessionToken: string | undefined; tierSlug: string; locale: string },
): Promise<
  | { kind: "refused"; reason: "unknown" | "archived" | "not_for_sale" }
  | { kind: "ready"; sessionToken: string; state: string }
> {
  const sale = await tierOnSale(deps.db, input.tierSlug);
  if (!sale.found) return { kind: "refused", reason: sale.reason };
  const now = deps.clock.now();
  let sessionToken = input.sessionToken;
  const existing = sessionToken
    ? await deps.db.webSession.findUnique({ where: { id: sha256(sessionToken) } })
    : null;
  if (!existing || existing.expiresAt <= now) {
    sessionToken = token();
    await deps.db.webSession.create({
      data: { id: sha256(sessionToken), expiresAt: new Date(now.getTime() + SESSION_TTL_MS) },
    });
  }
  const state = token();
  await deps.db.webSignIn.create({
    data: {
      id: sha256(state),
      sessionId: sha256(sessionToken!),
      tierId: sale.tierId,
      locale: input.locale,
      expiresAt: new Date(now.getTime() + SIGN_IN_TTL_MS),
    },
  });
  // What expired a day ago is of no use: the tables stay small.
  const old = new Date(now.getTime() - SESSION_TTL_MS);
  await deps.db.webSignIn.deleteMany({ where: { expiresAt: { lt: old } } });
  await deps.db.webSession.deleteMany({ where: { expiresAt: { lt: old } } });
  await deps.db.discordJoinToken.deleteMany({ where: { expiresAt: { lt: now } } });
  return { kind: "ready", sessionToken: sessionToken!, state };
}

/**
 * Takes the `state` Discord sent back, once: it must be this browser session's, unused and not
 * expired. Null otherwise (replayed, forged, expired, or opened in another browser).
 */
export async function consumeSignInState(
  deps: { db: Db; clock: { now(): Date } },
  input: { sessionToken: string | undefined; state: string },
): Promise<{ tierId: string; locale: string } | null> {
  if (!input.sessionToken || !input.state) return null;
  const now = deps.clock.now();
  const id = sha256(input.state);
  const taken = await deps.db.webSignIn.updateMany({
    where: { id, sessionId: sha256(input.sessionToken), usedAt: null, expiresAt: { gt: now } },
    data: { usedAt: now },
  });
  if (taken.count !== 1) return null;
  const row = await deps.db.webSignIn.findUniqueOrThrow({ where: { id } });
  return { tierId: row.tierId, locale: row.locale };
}

export type DiscordJoinOutcome = { kind: "identity_taken" } | { kind: "tier_gone" } | CheckoutOutcome;

/**
 * The visitor signed in as a Discord user: their identity is linked to the member (created if new),
 * their token sealed for the grant, and Checkout opened for the tier. A Discord account whose member
 * is not the one this browser already signed in as is refused: mixing two fans up is worse than
 * asking them to link their accounts with /link.
 */
export async function joinWithDiscord(
  deps: MemberDeps & { joinTokenKey: Buffer },
  input: {
    sessionToken: string;
    user: { id: string; username: string; locale: string | null };
    grant: DiscordGrant;
    tierId: string;
    /** The page's language, when Discord does not say the user's. */
    pageLocale: string;
  },
): Promise<DiscordJoinOutcome> {
  const sessionId = sha256(input.sessionToken);
  const session = await deps.db.webSession.findUniqueOrThrow({ where: { id: sessionId } });
  const known = await deps.db.identity.findUnique({
    where: { platform_platformUserId: { platform: "discord", platformUserId: input.user.id } },
    select: { memberId: true },
  });
  if (session.memberId && known && known.memberId !== session.memberId) {
    deps.log.info(
      { event: "web.discord.identity_taken", memberId: session.memberId },
      "a browser signed in as one member tried a Discord account of another",
    );
    return { kind: "identity_taken" };
  }
  const sale = await deps.db.tier.findUnique({ where: { id: input.tierId }, select: { slug: true } });
  if (!sale || !(await tierOnSale(deps.db, sale.slug)).found) return { kind: "tier_gone" };
  const who = {
    platform: "discord" as const,
    userId: input.user.id,
    username: input.user.username,
    locale: input.user.locale ?? input.pageLocale,
  };
  const memberId = await memberForIdentity(deps.db, who);
  await deps.db.webSession.update({ where: { id: sessionId }, data: { memberId } });
  await storeJoinToken(deps.db, deps.joinTokenKey, input.user.id, input.grant, deps.clock.now());
  let outcome: CheckoutOutcome;
  try {
    outcome = await startCheckout(deps, { who, tier: input.tierId });
  } catch (err) {
    await dropJoinToken(deps.db, input.user.id);
    throw err;
  }
  // No payment coming (a member already): the token has no use, it is not kept.
  if (outcome.kind !== "checkout") await dropJoinToken(deps.db, input.user.id);
  return outcome;
}

/** The key that seals join tokens, derived from DISCORD_CLIENT_SECRET (never stored). */
export function joinTokenKey(clientSecret: string): Buffer {
  return Buffer.from(hkdfSync("sha256", clientSecret, "tribegate", "discord-join-token", 32));
}

export function sealToken(key: Buffer, plain: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const data = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  return [iv, cipher.getAuthTag(), data].map((b) => b.toString("base64url")).join(".");
}

/** The token, or null when the seal does not open (another key: DISCORD_CLIENT_SECRET changed). */
export function openToken(key: Buffer, sealed: string): string | null {
  const [iv, tag, data] = sealed.split(".").map((p) => Buffer.from(p, "base64url"));
  if (!iv || !tag || !data) return null;
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, iv);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(data), decipher.final()]).toString("utf8");
  } catch {
    return null;
  }
}

async function storeJoinToken(db: Db, key: Buffer, userId: string, grant: DiscordGrant, now: Date) {
  const sealed = sealToken(key, grant.accessToken);
  // Discord's tokens last a week; kept a day at most: long enough to pay, no longer.
  const expiresAt = new Date(now.getTime() + Math.min(grant.expiresInSeconds * 1000, SESSION_TTL_MS));
  try {
    await db.discordJoinToken.upsert({
      where: { userId },
      create: { userId, sealed, expiresAt },
      update: { sealed, expiresAt },
    });
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
  }
}

/** The fan's join token, when one is kept and still valid (it stays until `dropJoinToken`). */
export async function joinToken(db: Db, key: Buffer, userId: string, now: Date): Promise<string | null> {
  const row = await db.discordJoinToken.findUnique({ where: { userId } });
  if (!row || row.expiresAt <= now) return null;
  return openToken(key, row.sealed);
}

export async function dropJoinToken(db: Db, userId: string): Promise<void> {
  await db.discordJoinToken.deleteMany({ where: { userId } });
}

/**
 * The roles the ledger wants this fan to have in this server (grants pending or done): the bot adds
 * the fan with all of them in one call.
 */
export async function rolesOwedInGuild(db: Db, userId: string, guildId: string): Promise<string[]> {
  const jobs = await db.accessJob.findMany({
    where: {
      platform: "discord",
      platformUserId: userId,
      action: "grant",
      targetKey: { startsWith: `discord:${guildId}:` },
      state: { in: ["pending", "running", "done"] },
    },
    select: { targetKey: true },
  });
  return jobs.map((j) => j.targetKey.split(":")[2]!).filter(Boolean);
}
