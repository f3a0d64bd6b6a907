import { randomUUID } from "node:crypto";
import { type AccessTarget, targetKey } from "../core/access.ts";
import { DomainError, NetworkError, PlatformError } from "../errors.ts";
import type { Logger } from "../log.ts";
import type { Billing } from "./billing/billing.ts";
import type { Db } from "./db.ts";
import { syncMemberAccess } from "./membership/syncMemberAccess.ts";
import { isExtraRole } from "./settings.ts";
import type { Clock } from "./worker.ts";

/**
 * Tiers: what the creator sells. Stripe holds the product and prices; the ledger maps prices to
 * tiers and tiers to platform access. Errors a creator can fix are DomainErrors with a code the
 * platform adapters translate.
 */

export interface TierDeps {
  db: Db;
  billing: Billing;
  clock: Clock;
  log: Logger;
  onWork?: () => void;
}

export interface CreateTierInput {
  name: string;
  description?: string;
  slug?: string;
  /** Price in the currency's minor unit (cents). Ignored when `existingPriceId` is given. */
  amount?: number;
  currency?: string;
  interval?: "month" | "year";
  trialDays?: number;
  /** A one-time price that gives the tier for life, in minor units. */
  lifetimeAmount?: number;
  /** Link an existing Stripe Price instead of creating one. */
  existingPriceId?: string;
}

const SLUG = /^[a-z0-9][a-z0-9-]{0,31}$/;
const CURRENCY = /^[a-z]{3}$/;

export function slugify(name: string): string {
  return (
    name
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 32) || "tier"
  );
}

/** Stripe refusing a creator's input becomes a DomainError that says what Stripe said. */
function stripeRefusal(err: unknown): never {
  if (err instanceof PlatformError && err.platform === "stripe" && err.status >= 400 && err.status < 500) {
    throw new DomainError("stripe_rejected", { message: err.message });
  }
  if (err instanceof NetworkError) throw new DomainError("stripe_unavailable");
  throw err;
}

export async function createTier(deps: TierDeps, input: CreateTierInput) {
  const name = input.name.trim();
  if (name.length < 1 || name.length > 100) throw new DomainError("tier_name_invalid");
  const slug = (input.slug ?? slugify(name)).toLowerCase();
  if (!SLUG.test(slug)) throw new DomainError("tier_slug_invalid", { slug });
  if (await deps.db.tier.findUnique({ where: { slug } })) throw new DomainError("tier_exists", { slug });
  const trialDays = input.trialDays ?? 0;
  if (!Number.isInteger(trialDays) || trialDays < 0 || trialDays > 730)
    throw new DomainError("trial_days_invalid", { max: 730 });
  const description = (input.description ?? "").trim().slice(0, 500);
  const id = randomUUID();

  let productId: string;
  let recurring: { id: string; amount: number; currency: string; interval: string };
  try {
    if (input.existingPriceId) {
      if (await deps.db.tierPrice.findUnique({ where: { stripePriceId: input.existingPriceId } })) {
        throw new DomainError("price_already_linked", { priceId: input.existingPriceId });
      }
      const price = await deps.billing.price(input.existingPriceId);
      if (!price.active) throw new DomainError("price_inactive", { priceId: price.id });
      if (!price.interval || !["month", "year"].includes(price.interval)) {
        throw new DomainError("price_not_recurring", { priceId: price.id });
      }
      productId = price.productId;
      recurring = { id: price.id, amount: price.amount, currency: price.currency, interval: price.interval };
    } else {
      const amount = input.amount ?? 0;
      const currency = (input.currency ?? "").toLowerCase();
      if (!Number.isInteger(amount) || amount <= 0) throw new DomainError("price_amount_invalid");
      if (!CURRENCY.test(currency))
        throw new DomainError("currency_invalid", { currency: input.currency ?? "" });
      const interval = input.interval ?? "month";
      productId = await deps.billing.createProduct({
        name,
        description,
        metadata: { tribegate_tier_id: id },
      });
      const priceId = await deps.billing.createPrice({
        productId,
        amount,
        currency,
        interval,
        metadata: { tribegate_tier_id: id },
      });
      recurring = { id: priceId, amount, currency, interval };
    }
  } catch (err) {
    if (err instanceof DomainError) throw err;
    if (err instanceof PlatformError && err.status === 404)
      throw new DomainError("price_not_found", { priceId: input.existingPriceId ?? "" });
    stripeRefusal(err);
  }

  let lifetime: { id: string; amount: number } | null = null;
  if (input.lifetimeAmount !== undefined) {
    if (!Number.isInteger(input.lifetimeAmount) || input.lifetimeAmount <= 0)
      throw new DomainError("price_amount_invalid");
    try {
      const lifetimeId = await deps.billing.createPrice({
        productId,
        amount: input.lifetimeAmount,
        currency: recurring.currency,
        interval: null,
        metadata: { tribegate_tier_id: id, tribegate_lifetime: "true" },
      });
      lifetime = { id: lifetimeId, amount: input.lifetimeAmount };
    } catch (err) {
      stripeRefusal(err);
    }
  }

  const tier = await deps.db.tier.create({
    data: {
      id,
      slug,
      name,
      description,
      stripeProductId: input.existingPriceId ? null : productId,
      prices: {
        create: [
          {
            stripePriceId: recurring.id,
            kind: "recurring",
            amount: recurring.amount,
            currency: recurring.currency,
            interval: recurring.interval,
            trialDays,
          },
          ...(lifetime
            ? [
                {
                  stripePriceId: lifetime.id,
                  kind: "lifetime" as const,
                  amount: lifetime.amount,
                  currency: recurring.currency,
                  interval: null,
                  trialDays: 0,
                },
              ]
            : []),
        ],
      },
    },
    include: { prices: true },
  });
  deps.log.info({ event: "tier.created", tierId: id, slug, priceId: recurring.id }, `tier ${name} created`);
  // Subscriptions to a linked price that arrived before the tier existed now find their tier.
  if (input.existingPriceId) await resyncPrice(deps, recurring.id, tier.id);
  return tier;
}

async function resyncPrice(deps: TierDeps, priceId: string, tierId: string): Promise<void> {
  const subs = await deps.db.subscription.findMany({
    where: { stripePriceId: priceId, tierId: null },
    select: { id: true, memberId: true },
  });
  if (subs.length === 0) return;
  await deps.db.subscription.updateMany({
    where: { stripePriceId: priceId, tierId: null },
    data: { tierId },
  });
  await resyncMembers(deps, [...new Set(subs.map((s) => s.memberId))], `price ${priceId} linked to a tier`);
}

/** Re-plans the access of the given members, one transaction each. */
export async function resyncMembers(
  deps: TierDeps,
  memberIds: readonly string[],
  reason: string,
  actor = "system",
): Promise<void> {
  for (const memberId of memberIds) {
    await deps.db.$transaction((tx) =>
      syncMemberAccess(tx, memberId, { actor, reason, stripeEventId: null, now: deps.clock.now() }),
    );
  }
  if (memberIds.length) deps.onWork?.();
}

export async function findTier(db: Db, slugOrId: string) {
  const key = slugOrId.trim().toLowerCase();
  const tier = await db.tier.findFirst({
    where: { OR: [{ slug: key }, { id: slugOrId.trim() }] },
    include: { prices: true, access: true },
  });
  if (!tier) throw new DomainError("unknown_tier", { tier: slugOrId });
  return tier;
}

export async function listTiers(db: Db, opts: { includeArchived?: boolean } = {}) {
  return db.tier.findMany({
    where: opts.includeArchived ? {} : { archivedAt: null },
    include: { prices: { where: { current: true } }, access: true },
    orderBy: { createdAt: "asc" },
  });
}

/** The tiers a fan can join: not archived, with a current recurring price. */
export async function listTiersForSale(db: Db) {
  return (await listTiers(db)).filter((t) => t.prices.some((p) => p.kind === "recurring"));
}

/** A tier's name, or null when no tier has that id. */
export async function tierName(db: Db, tierId: string): Promise<string | null> {
  return (await db.tier.findUnique({ where: { id: tierId }, select: { name: true } }))?.name ?? null;
}

/** The names of the tiers with these ids (a poll's voting tiers). */
export async function tierNames(db: Db, tierIds: readonly string[]): Promise<string[]> {
  if (tierIds.length === 0) return [];
  const tiers = await db.tier.findMany({ where: { id: { in: [...tierIds] } }, select: { name: true } });
  return tiers.map((t) => t.name);
}

/** Whether a platform resource is opened by any tier (a chat the bot was added to is bound already). */
export async function isTierTarget(db: Db, target: AccessTarget): Promise<boolean> {
  return (await db.tierAccess.count({ where: { targetKey: targetKey(target) } })) > 0;
}

async function membersOfTier(db: Db, tierId: string): Promise<string[]> {
  const subs = await db.subscription.findMany({
    where: { tierId },
    select: { memberId: true },
    distinct: ["memberId"],
  });
  return subs.map((s) => s.memberId);
}

/** Opens a platform resource to a tier; current members get it at once. */
export async function addTierAccess(deps: TierDeps, tierSlugOrId: string, target: AccessTarget, label = "") {
  const tier = await findTier(deps.db, tierSlugOrId);
  const key = targetKey(target);
  if (tier.access.some((a) => a.targetKey === key))
    throw new DomainError("access_already_mapped", { tier: tier.slug });
  if (target.platform === "discord" && (await isExtraRole(deps.db, target)))
    throw new DomainError("tier_role_is_extra_role", { role: `<@&${target.roleId}>` });
  await deps.db.tierAccess.create({
    data: {
      id: randomUUID(),
      tierId: tier.id,
      platform: target.platform,
      targetKey: key,
      guildId: target.platform === "discord" ? target.guildId : null,
      roleId: target.platform === "discord" ? target.roleId : null,
      chatId: target.platform === "telegram" ? target.chatId : null,
      label,
    },
  });
  deps.log.info(
    { event: "tier.access_added", tierId: tier.id, target: key },
    `tier ${tier.slug} now opens ${key}`,
  );
  await resyncMembers(
    deps,
    await membersOfTier(deps.db, tier.id),
    `tier ${tier.slug} now opens ${label || key}`,
  );
}

/** Closes a platform resource to a tier; members who had it only through this tier lose it. */
export async function removeTierAccess(deps: TierDeps, tierSlugOrId: string, target: AccessTarget) {
  const tier = await findTier(deps.db, tierSlugOrId);
  const key = targetKey(target);
  const { count } = await deps.db.tierAccess.deleteMany({ where: { tierId: tier.id, targetKey: key } });
  if (count === 0) throw new DomainError("access_not_mapped", { tier: tier.slug });
  deps.log.info(
    { event: "tier.access_removed", tierId: tier.id, target: key },
    `tier ${tier.slug} no longer opens ${key}`,
  );
  await resyncMembers(
    deps,
    await membersOfTier(deps.db, tier.id),
    `tier ${tier.slug} no longer opens ${key}`,
  );
}

/** Stops selling a tier. Members keep their access until their subscription ends. */
export async function archiveTier(deps: TierDeps, tierSlugOrId: string) {
  const tier = await findTier(deps.db, tierSlugOrId);
  if (tier.archivedAt) throw new DomainError("tier_archived", { tier: tier.slug });
  for (const price of tier.prices.filter((p) => p.current)) {
    try {
      await deps.billing.deactivatePrice(price.stripePriceId);
    } catch (err) {
      stripeRefusal(err);
    }
  }
  const updated = await deps.db.tier.update({
    where: { id: tier.id },
    data: { archivedAt: deps.clock.now() },
  });
  deps.log.info({ event: "tier.archived", tierId: tier.id }, `tier ${tier.slug} archived`);
  return updated;
}

/**
 * A new price for new members; existing subscriptions keep the price they pay. A recurring price
 * replaces the current one of the same interval only: a yearly price is offered beside the monthly
 * one (the fan picks), as a lifetime price is beside both.
 */
export async function changeTierPrice(
  deps: TierDeps,
  tierSlugOrId: string,
  input: { amount: number; interval?: "month" | "year"; kind?: "recurring" | "lifetime" },
) {
  const tier = await findTier(deps.db, tierSlugOrId);
  if (tier.archivedAt) throw new DomainError("tier_archived", { tier: tier.slug });
  if (!Number.isInteger(input.amount) || input.amount <= 0) throw new DomainError("price_amount_invalid");
  const kind = input.kind ?? "recurring";
  const currentRecurring = tier.prices.find((p) => p.current && p.kind === "recurring");
  const wantedInterval =
    kind === "lifetime"
      ? null
      : (input.interval ?? (currentRecurring?.interval as "month" | "year" | undefined) ?? "month");
  const old = tier.prices.find(
    (p) => p.current && p.kind === kind && (kind === "lifetime" || p.interval === wantedInterval),
  );
  const reference = old ?? tier.prices.find((p) => p.current);
  if (!reference) throw new DomainError("no_price", { tier: tier.slug });
  let productId = tier.stripeProductId;
  try {
    if (!productId) productId = (await deps.billing.price(reference.stripePriceId)).productId;
    const interval = wantedInterval;
    const priceId = await deps.billing.createPrice({
      productId,
      amount: input.amount,
      currency: reference.currency,
      interval,
      metadata: {
        tribegate_tier_id: tier.id,
        ...(kind === "lifetime" ? { tribegate_lifetime: "true" } : {}),
      },
    });
    await deps.db.$transaction([
      deps.db.tierPrice.updateMany({
        where: { tierId: tier.id, kind, current: true, ...(kind === "recurring" ? { interval } : {}) },
        data: { current: false },
      }),
      deps.db.tierPrice.create({
        data: {
          stripePriceId: priceId,
          tierId: tier.id,
          kind,
          amount: input.amount,
          currency: reference.currency,
          interval,
          trialDays: kind === "lifetime" ? 0 : (old?.trialDays ?? currentRecurring?.trialDays ?? 0),
        },
      }),
    ]);
    deps.log.info(
      { event: "tier.price_changed", tierId: tier.id, priceId, oldPriceId: old?.stripePriceId },
      `tier ${tier.slug} has a new price`,
    );
    return priceId;
  } catch (err) {
    if (err instanceof DomainError) throw err;
    stripeRefusal(err);
  }
}

/** Edits the name, description or trial of a tier (Stripe's product follows the name). */
export async function editTier(
  deps: TierDeps,
  tierSlugOrId: string,
  input: { name?: string; description?: string; trialDays?: number },
) {
  const tier = await findTier(deps.db, tierSlugOrId);
  if (input.name !== undefined && (input.name.trim().length < 1 || input.name.trim().length > 100))
    throw new DomainError("tier_name_invalid");
  if (
    input.trialDays !== undefined &&
    (!Number.isInteger(input.trialDays) || input.trialDays < 0 || input.trialDays > 730)
  ) {
    throw new DomainError("trial_days_invalid", { max: 730 });
  }
  if (input.trialDays !== undefined) {
    await deps.db.tierPrice.updateMany({
      where: { tierId: tier.id, kind: "recurring", current: true },
      data: { trialDays: input.trialDays },
    });
  }
  return deps.db.tier.update({
    where: { id: tier.id },
    data: {
      ...(input.name !== undefined ? { name: input.name.trim() } : {}),
      ...(input.description !== undefined ? { description: input.description.trim().slice(0, 500) } : {}),
    },
    include: { prices: { where: { current: true } }, access: true },
  });
}
