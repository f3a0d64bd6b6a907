import type Stripe from "stripe";
import { expect } from "vitest";
import { startCheckout } from "../../../src/app/members/checkout.ts";
import { addTierAccess, createTier } from "../../../src/app/tiers.ts";
import type { Platform } from "../../../src/core/access.ts";
import { type Harness, startHarness } from "../harness.ts";

export const GUILD = "100000000000000001";
export const ROLE_GOLD = "200000000000000001";
export const ROLE_SILVER = "200000000000000002";
export const CHAT_GOLD = "-1001000000001";

let unique = 0;
/** A fresh Discord-looking user id per scenario, so scenarios sharing one bot never collide. */
export function newUserId(): string {
  unique++;
  return `3${String(Date.now()).slice(-9)}${String(unique).padStart(8, "0")}`;
}

export interface Tiers {
  gold: { id: string; slug: string; priceId: string; lifetimePriceId: string };
  silver: { id: string; slug: string; priceId: string };
}

/**
 * A ledger-only bot (no platform: access jobs stay visible, unexecuted) on PGlite, with the Gold and
 * Silver tiers of setupTiers.
 */
export async function startLedger(): Promise<{ h: Harness; tiers: Tiers }> {
  const h = await startHarness({ backend: "pglite" });
  return { h, tiers: await setupTiers(h) };
}

/** Signs and POSTs one event to the bot, as Stripe does; returns the HTTP status and the bot's JSON answer. */
export async function deliverSigned<T = { status?: string; received?: boolean; ignored?: boolean }>(
  h: Harness,
  event: Stripe.Event,
): Promise<{ http: number; body: T }> {
  const res = await h.deliver(event);
  const body = JSON.parse(res.body) as T & { status?: string };
  // Acknowledged, then applied by the worker (h.deliver waited for it): what the record says now.
  if (body.status === "queued") {
    const recorded = await h.deps.db.stripeEvent.findUnique({
      where: { id: event.id },
      select: { status: true },
    });
    if (recorded) body.status = recorded.status;
  }
  return { http: res.status, body };
}

/** Gold (€10/month, Discord role + Telegram chat, lifetime €200) and Silver (€5/month, a role). */
export async function setupTiers(h: Harness, suffix = ""): Promise<Tiers> {
  const gold = await createTier(h.deps, {
    name: `Gold${suffix}`,
    slug: `gold${suffix}`,
    amount: 1000,
    currency: "eur",
    interval: "month",
    lifetimeAmount: 20000,
  });
  const silver = await createTier(h.deps, {
    name: `Silver${suffix}`,
    slug: `silver${suffix}`,
    amount: 500,
    currency: "eur",
  });
  await addTierAccess(
    h.deps,
    gold.slug,
    { platform: "discord", guildId: GUILD, roleId: ROLE_GOLD },
    "Gold role",
  );
  await addTierAccess(h.deps, gold.slug, { platform: "telegram", chatId: CHAT_GOLD }, "Gold chat");
  await addTierAccess(
    h.deps,
    silver.slug,
    { platform: "discord", guildId: GUILD, roleId: ROLE_SILVER },
    "Silver role",
  );
  const priceOf = (t: typeof gold, kind: "recurring" | "lifetime") =>
    t.prices.find((p) => p.kind === kind)!.stripePriceId;
  return {
    gold: {
      id: gold.id,
      slug: gold.slug,
      priceId: priceOf(gold, "recurring"),
      lifetimePriceId: priceOf(gold, "lifetime"),
    },
    silver: { id: silver.id, slug: silver.slug, priceId: priceOf(silver, "recurring") },
  };
}

export interface Paid {
  userId: string;
  memberId: string;
  customerId: string;
  subscriptionId: string;
  invoiceId: string | undefined;
  sessionId: string;
}

/** A fan starts checkout from a platform, pays on Stripe's page, and Stripe's webhooks arrive. */
export async function fanPays(
  h: Harness,
  tier: string,
  opts: { userId?: string; platform?: Platform; lifetime?: boolean; deliver?: boolean } = {},
): Promise<Paid> {
  const userId = opts.userId ?? newUserId();
  const outcome = await startCheckout(h.deps, {
    who: { platform: opts.platform ?? "discord", userId, username: `fan${userId.slice(-4)}`, locale: "fr" },
    tier,
    ...(opts.lifetime ? { lifetime: true } : {}),
  });
  if (outcome.kind !== "checkout") throw new Error(`expected a checkout, got ${outcome.kind}`);
  const done = h.stripe.completeCheckout(outcome.sessionId);
  if (opts.deliver !== false) {
    const results = await h.deliverAll();
    expect(results.map((r) => r.status)).toEqual(results.map(() => 200));
  }
  const identity = await h.deps.db.identity.findUniqueOrThrow({
    where: { platform_platformUserId: { platform: opts.platform ?? "discord", platformUserId: userId } },
  });
  return {
    userId,
    memberId: identity.memberId,
    customerId: done.customer.id,
    subscriptionId: done.subscription?.id ?? done.session.id,
    invoiceId: done.invoice?.id,
    sessionId: outcome.sessionId,
  };
}

/** The last wish per target for one platform account: { "discord:g:r": "grant" | "revoke" }. */
export async function wishesOf(h: Harness, userId: string): Promise<Record<string, string>> {
  const jobs = await h.deps.db.accessJob.findMany({
    where: { platformUserId: userId },
    orderBy: { targetKey: "asc" },
  });
  return Object.fromEntries(jobs.map((j) => [j.targetKey, j.action]));
}

export const goldRoleKey = `discord:${GUILD}:${ROLE_GOLD}`;
export const silverRoleKey = `discord:${GUILD}:${ROLE_SILVER}`;
export const goldChatKey = `telegram:${CHAT_GOLD}`;

/** Swaps a subscription's only item to another price, as an upgrade in the billing portal does. */
export function moveToPrice(h: Harness, subscriptionId: string, priceId: string): Stripe.Event {
  const sub = h.stripe.get<Stripe.Subscription>(subscriptionId)!;
  const newPrice = h.stripe.get<Stripe.Price>(priceId)!;
  const item = sub.items.data[0]!;
  return h.stripe.updateSubscription(subscriptionId, {
    items: { ...sub.items, data: [{ ...item, price: newPrice }] },
  }).event;
}
