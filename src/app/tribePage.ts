import { type Platform, parseTargetKey } from "../core/access.ts";
import { type PriceOffer, pickOffer, tierOffers } from "../core/pricing.ts";
import type { Db } from "./db.ts";
import { type CreatorProfile, getCreatorProfile } from "./profile.ts";
import type { AppServices } from "./services.ts";
import { getGoalProgress } from "./stats.ts";
import { listTiersForSale } from "./tiers.ts";

/**
 * What the tribe's public page shows (src/adapters/http/tribePage.ts renders it): the creator's
 * profile, each tier for sale with its prices and what it opens, and the true-fans goal when the
 * creator chose to show it. Read-only, for anyone on the internet: nothing about members.
 */

export interface PageTier {
  id: string;
  slug: string;
  name: string;
  description: string;
  /**
   * Every price a fan can pick, side by side: monthly, yearly (with its saving), lifetime. A tier on
   * the page has a monthly or a yearly one.
   */
  offers: PriceOffer[];
  /** The free days before the first payment, of the price a fan gets by default (monthly, else yearly). */
  trialDays: number;
  /**
   * What the tier opens, by platform: a role's or chat's name as the platform tells it now (else the
   * label stored when the creator added it), and for a Discord role the channels only it can see.
   */
  opens: { platform: Platform; label: string; places: string[] }[];
  /** The platforms the tier opens something on (empty: none, the tier is open to both). */
  platforms: Platform[];
}

export interface TribePage {
  profile: CreatorProfile;
  tiers: PageTier[];
  /** Shown only when the creator turned it on. */
  goal: { members: number; goal: number; progress: number } | null;
}

export async function readTribePage(
  services: Pick<AppServices, "db" | "platforms">,
  now: Date,
): Promise<TribePage> {
  const { db } = services;
  const profile = await getCreatorProfile(db);
  const tiers: PageTier[] = [];
  for (const t of await listTiersForSale(db)) {
    const offers = tierOffers(t.prices);
    const main = pickOffer(offers);
    if (!main) continue;
    tiers.push({
      id: t.id,
      slug: t.slug,
      name: t.name,
      description: t.description,
      offers,
      trialDays: main.trialDays,
      opens: t.access
        .map((a) => {
          const target = parseTargetKey(a.targetKey);
          const platform = services.platforms.find((p) => p.name === a.platform);
          const seen = target ? platform?.describe?.(target) : null;
          return { platform: a.platform, label: (seen?.name ?? a.label).trim(), places: seen?.places ?? [] };
        })
        .filter((a) => a.label !== "" || a.places.length > 0),
      platforms: [...new Set(t.access.map((a) => a.platform))],
    });
  }
  let goal: TribePage["goal"] = null;
  if (profile.showGoal) {
    goal = await getGoalProgress(db, now);
  }
  return { profile, tiers, goal };
}

/** Why a tier is not on the page: unknown, archived, or without a price for sale. */
export async function tierOnSale(
  db: Db,
  slug: string,
): Promise<
  { found: true; tierId: string } | { found: false; reason: "unknown" | "archived" | "not_for_sale" }
> {
  const key = slug.trim().toLowerCase();
  if (!/^[a-z0-9][a-z0-9-]{0,31}$/.test(key)) return { found: false, reason: "unknown" };
  const tier = await db.tier.findUnique({
    where: { slug: key },
    select: { id: true, archivedAt: true, prices: { where: { current: true, kind: "recurring" } } },
  });
  if (!tier) return { found: false, reason: "unknown" };
  if (tier.archivedAt) return { found: false, reason: "archived" };
  if (tier.prices.length === 0) return { found: false, reason: "not_for_sale" };
  return { found: true, tierId: tier.id };
}

/**
 * How a visitor of the page can join, as the platforms attached to this process allow (built by
 * the composition root from the platform adapters).
 */
export interface JoinDoors {
  /** Discord is attached: fans can at least use /join in the server. */
  discord: boolean;
  /** Discord sign-in (OAuth2) is set up (DISCORD_CLIENT_SECRET): "Join with Discord" signs in. */
  discordSignIn: boolean;
  /** The t.me link that opens the Telegram bot with /start <payload>; null without Telegram or before it knows its name. */
  telegramLink(payload?: string): string | null;
  /** Where a Discord member finds the server (https://discord.com/channels/<guild>); null when unknown. */
  discordServerUrl(): Promise<string | null>;
}

/**
 * The platform a Checkout Session was opened from (its account is in client_reference_id), for the
 * page Stripe sends the fan back to; null for a session the bot does not know.
 */
export async function checkoutPlatform(db: Db, sessionId: string): Promise<Platform | null> {
  if (!/^cs_[\w-]{1,200}$/.test(sessionId)) return null;
  const row = await db.checkoutSession.findUnique({
    where: { id: sessionId },
    select: { clientReferenceId: true },
  });
  const platform = row?.clientReferenceId.split(":")[0];
  return platform === "discord" || platform === "telegram" ? platform : null;
}
