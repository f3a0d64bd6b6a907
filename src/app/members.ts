import { createHash, randomInt, randomUUID } from "node:crypto";
import { type Identity, type Platform, parseTargetKey } from "../core/access.ts";
import { DomainError, NetworkError, PlatformError } from "../errors.ts";
import type { Logger } from "../log.ts";
import { wantAccess } from "./access/jobs.ts";
import { applyCustomerStates, META } from "./billing/applyStripeEvent.ts";
import type { Billing } from "./billing/billing.ts";
import { type Db, isUniqueViolation, type Tx } from "./db.ts";
import { isEntitledNow } from "./membership/entitlement.ts";
import { currentPlan, MEMBER_PLAN_INCLUDE, syncMemberAccess } from "./membership/syncMemberAccess.ts";
import { spendToken } from "./rateLimits.ts";
import { getSettings } from "./settings.ts";
import { findTier } from "./tiers.ts";
import { portalReturnUrl } from "./urls.ts";
import type { Clock } from "./worker.ts";

export interface MemberDeps {
  db: Db;
  billing: Billing;
  clock: Clock;
  log: Logger;
  publicBaseUrl: string;
  onWork?: () => void;
}

export interface FanIdentity extends Identity {
  username?: string | null;
  locale?: string | null;
}

/** The member behind a platform account, created (without a Stripe customer yet) if needed. */
export async function memberForIdentity(db: Db, who: FanIdentity): Promise<string> {
  const existing = await db.identity.findUnique({
    where: { platform_platformUserId: { platform: who.platform, platformUserId: who.userId } },
  });
  if (existing) {
    if (
      (who.username && who.username !== existing.username) ||
      (who.locale && who.locale !== existing.locale)
    ) {
      await db.identity.update({
        where: { platform_platformUserId: { platform: who.platform, platformUserId: who.userId } },
        data: {
          ...(who.username ? { username: who.username } : {}),
          ...(who.locale ? { locale: who.locale } : {}),
        },
      });
    }
    return existing.memberId;
  }
  const id = randomUUID();
  try {
    await db.member.create({
      data: {
        id,
        identities: {
          create: {
            platform: who.platform,
            platformUserId: who.userId,
            username: who.username ?? null,
            locale: who.locale ?? null,
          },
        },
      },
    });
    return id;
  } catch (err) {
    // Two commands from the same fan at once: the other one created it.
    if (isUniqueViolation(err)) return memberForIdentity(db, who);
    throw err;
  }
}

export type CheckoutOutcome =
  | { kind: "checkout"; url: string; sessionId: string; trialDays: number }
  | { kind: "already_member"; portalUrl: string | null; tierName: string };

/**
 * Starts Stripe Checkout for a fan and a tier. The fan's platform identity goes into
 * client_reference_id and the metadata of the session and the subscription, and the session is
 * bound to the fan's own Stripe customer, so the payment can only ever be attributed to them.
 */
export async function startCheckout(
  deps: MemberDeps,
  input: { who: FanIdentity; tier: string; lifetime?: boolean },
): Promise<CheckoutOutcome> {
  await spendToken(deps, "checkout", input.who);
  const tier = await findTier(deps.db, input.tier);
  if (tier.archivedAt) throw new DomainError("tier_archived", { tier: tier.slug });
  const price = tier.prices.find((p) => p.current && p.kind === (input.lifetime ? "lifetime" : "recurring"));
  if (!price) throw new DomainError(input.lifetime ? "no_lifetime_price" : "no_price", { tier: tier.slug });

  const memberId = await memberForIdentity(deps.db, input.who);
  const member = await deps.db.member.findUniqueOrThrow({
    where: { id: memberId },
    include: { subscriptions: { include: { tier: true, holds: true } } },
  });
  refuseSuspended(deps, member, input.who.platform);
  const settings = await getSettings(deps.db);
  const now = deps.clock.now();
  const current = member.subscriptions.find((s) => isEntitledNow(s, settings.graceDays, now));
  if (current) {
    // Already paying: changing tier or card happens in the portal, not in a second subscription.
    let portalUrl: string | null = null;
    if (member.stripeCustomerId) {
      try {
        portalUrl = await deps.billing.createPortal(
          member.stripeCustomerId,
          portalReturnUrl(deps.publicBaseUrl),
        );
      } catch (err) {
        deps.log.warn({ event: "checkout.portal_failed", memberId, err }, "could not create a portal link");
      }
    }
    return { kind: "already_member", portalUrl, tierName: current.tier?.name ?? "" };
  }

  // A trial is for a first membership, not for every return.
  const trialDays = !input.lifetime && member.subscriptions.length === 0 ? price.trialDays : 0;
  const mode = input.lifetime ? "payment" : "subscription";
  const clientReferenceId = `${input.who.platform}:${input.who.userId}`;
  const locale = input.who.locale ? stripeLocale(input.who.locale) : undefined;
  const terms = JSON.stringify([mode, trialDays, settings.allowPromotionCodes, locale ?? null]);
  const open = await openCheckout(deps.db, member, {
    priceId: price.stripePriceId,
    clientReferenceId,
    terms,
    now,
  });
  if (open) {
    // The fan pressed join again: the page they have is still good, and Stripe is not asked again.
    deps.log.info(
      {
        event: "checkout.reused",
        memberId,
        tierId: tier.id,
        priceId: price.stripePriceId,
        sessionId: open.id,
        platform: input.who.platform,
      },
      `open checkout reused for tier ${tier.slug}`,
    );
    return { kind: "checkout", url: open.url, sessionId: open.id, trialDays };
  }

  try {
    const customerId = await ensureCustomer(deps, memberId, input.who);
    const metadata = {
      [META.memberId]: memberId,
      [META.tierId]: tier.id,
      [META.priceId]: price.stripePriceId,
      [META.platform]: input.who.platform,
      [META.platformUserId]: input.who.userId,
    };
    // Two presses at the same moment both found no open session: the same key makes Stripe answer
    // the second with the first one's session. The key moves on with each session stored.
    const latest = await deps.db.checkoutSession.findFirst({
      where: { memberId },
      orderBy: { createdAt: "desc" },
      select: { id: true },
    });
    const idempotencyKey = `tribegate-checkout-${createHash("sha256")
      .update(
        JSON.stringify([memberId, clientReferenceId, price.stripePriceId, customerId, terms, latest?.id]),
      )
      .digest("hex")
      .slice(0, 40)}`;
    const session = await deps.billing.createCheckout({
      idempotencyKey,
      customerId,
      priceId: price.stripePriceId,
      mode,
      clientReferenceId,
      metadata,
      successUrl: `${deps.publicBaseUrl}/checkout/success?session_id={CHECKOUT_SESSION_ID}`,
      cancelUrl: `${deps.publicBaseUrl}/checkout/cancel`,
      allowPromotionCodes: settings.allowPromotionCodes,
      trialDays,
      ...(locale ? { locale } : {}),
    });
    // Sessions Stripe closed a day ago are of no use any more: the table stays small.
    await deps.db.checkoutSession.deleteMany({
      where: { memberId, expiresAt: { lt: new Date(now.getTime() - 24 * 60 * 60 * 1000) } },
    });
    await deps.db.checkoutSession.createMany({
      data: [
        {
          id: session.id,
          memberId,
          customerId,
          clientReferenceId,
          stripePriceId: price.stripePriceId,
          terms,
          url: session.url,
          expiresAt: session.expiresAt,
        },
      ],
      // The other press of a double press stored the same session already.
      skipDuplicates: true,
    });
    deps.log.info(
      {
        event: "checkout.started",
        memberId,
        tierId: tier.id,
        priceId: price.stripePriceId,
        sessionId: session.id,
        platform: input.who.platform,
      },
      `checkout started for tier ${tier.slug}`,
    );
    return { kind: "checkout", url: session.url, sessionId: session.id, trialDays };
  } catch (err) {
    if (err instanceof NetworkError) {
      deps.log.warn(
        { event: "checkout.stripe_unavailable", memberId, err: err.message },
        "Stripe unavailable during checkout",
      );
      throw new DomainError("stripe_unavailable");
    }
    if (err instanceof PlatformError && err.platform === "stripe") {
      // A tier whose Stripe price was deleted: the creator must set a new price.
      const priceGone = err.status === 404 || (err.code === "resource_missing" && /price/i.test(err.message));
      const ref = stripeRefusalRef(deps.log, err, "checkout.stripe_refused", { memberId, tierId: tier.id });
      if (priceGone) throw new DomainError("price_missing_in_stripe", { tier: tier.slug });
      throw new DomainError("stripe_refused", { ref });
    }
    throw err;
  }
}

/** A session is reused only with this much time left: the fan needs time to fill the page in. */
export const CHECKOUT_REUSE_MARGIN_MS = 10 * 60 * 1000;

/**
 * The open Checkout Session this account already has for this price, made on the same terms and for
 * the member's current customer, with time left; null when a new one is needed. A session is closed
 * for reuse when its completion arrives (the webhook marks it), or near its expiry.
 */
async function openCheckout(
  db: Db,
  member: { id: string; stripeCustomerId: string | null; deletedAt: Date | null },
  want: { priceId: string; clientReferenceId: string; terms: string; now: Date },
): Promise<{ id: string; url: string } | null> {
  if (!member.stripeCustomerId || member.deletedAt) return null;
  return db.checkoutSession.findFirst({
    where: {
      memberId: member.id,
      stripePriceId: want.priceId,
      customerId: member.stripeCustomerId,
      clientReferenceId: want.clientReferenceId,
      terms: want.terms,
      completedAt: null,
      expiresAt: { gt: new Date(want.now.getTime() + CHECKOUT_REUSE_MARGIN_MS) },
    },
    orderBy: { createdAt: "desc" },
    select: { id: true, url: true },
  });
}

/**
 * A member the creator suspended (/tribe member revoke) may not buy their way back in: the answer
 * is that they are suspended, not a payment page.
 */
export function refuseSuspended(
  deps: { log: Logger },
  member: { id: string; suspendedAt: Date | null },
  platform: Platform,
): void {
  if (!member.suspendedAt) return;
  deps.log.info(
    { event: "checkout.refused", reason: "suspended", memberId: member.id, platform },
    "a suspended member tried to pay: no checkout opened",
  );
  throw new DomainError("member_suspended");
}

/**
 * Stripe's own words about a refusal are for the creator's log, not for the fan: the log line and
 * the fan's message share a short reference, so a fan's report finds the detail.
 */
function stripeRefusalRef(
  log: Logger,
  err: PlatformError,
  event: string,
  fields: Record<string, string>,
): string {
  const ref = randomUUID().slice(0, 8);
  log.error(
    {
      event,
      ref,
      ...fields,
      method: err.method,
      status: err.status,
      code: err.code ?? null,
      reason: err.message,
    },
    `Stripe refused ${err.method} (ref ${ref})`,
  );
  return ref;
}

function stripeLocale(locale: string): string {
  const l = locale.toLowerCase().split(/[-_]/)[0] ?? "auto";
  return ["fr", "en", "de", "es", "it", "nl", "pt", "ja"].includes(l) ? l : "auto";
}

async function ensureCustomer(deps: MemberDeps, memberId: string, who: FanIdentity): Promise<string> {
  const member = await deps.db.member.findUniqueOrThrow({ where: { id: memberId } });
  if (member.stripeCustomerId) {
    // The customer may have been deleted in Stripe since (by the creator, or by the fan asking for
    // their data to be erased): Checkout refuses a deleted customer, so the fan gets a new one.
    const status = member.deletedAt ? "deleted" : await deps.billing.customerStatus(member.stripeCustomerId);
    if (status === "active") return member.stripeCustomerId;
    return replaceCustomer(deps, memberId, member.stripeCustomerId, status, who);
  }
  // Keyed on the member and account: a double press (or a retry after a crash) gets the same customer.
  const customerId = await deps.billing.createCustomer({
    ...customerParams(memberId, who),
    idempotencyKey: `tribegate-customer-${memberId}-${who.platform}-${who.userId}`,
  });
  const { count } = await deps.db.member.updateMany({
    where: { id: memberId, stripeCustomerId: null },
    data: { stripeCustomerId: customerId },
  });
  if (count === 0) {
    // A concurrent checkout attached its customer first: use that one.
    const again = await deps.db.member.findUniqueOrThrow({ where: { id: memberId } });
    return again.stripeCustomerId ?? customerId;
  }
  return customerId;
}

function customerParams(memberId: string, who: FanIdentity) {
  return {
    ...(who.username ? { name: who.username } : {}),
    metadata: { [META.memberId]: memberId, [`tribegate_${who.platform}_user_id`]: who.userId },
  };
}

/** Gives a member whose Stripe customer is gone a new one; the ledger and its history say so. */
async function replaceCustomer(
  deps: MemberDeps,
  memberId: string,
  oldCustomerId: string,
  why: "deleted" | "missing",
  who: FanIdentity,
): Promise<string> {
  const customerId = await deps.billing.createCustomer({
    ...customerParams(memberId, who),
    idempotencyKey: `tribegate-customer-${memberId}-replaces-${oldCustomerId}-${who.platform}-${who.userId}`,
  });
  const reason =
    why === "deleted"
      ? `Stripe customer ${oldCustomerId} was deleted; new customer ${customerId} for the next checkout`
      : `Stripe has no customer ${oldCustomerId} (404); new customer ${customerId} for the next checkout`;
  const replaced = await deps.db.$transaction(async (tx: Tx) => {
    const { count } = await tx.member.updateMany({
      where: { id: memberId, stripeCustomerId: oldCustomerId },
      data: { stripeCustomerId: customerId, deletedAt: null },
    });
    if (count === 0) return false;
    await tx.memberHistory.create({
      data: {
        memberId,
        actor: `${who.platform}:${who.userId}`,
        action: "member.customer",
        fromState: oldCustomerId,
        toState: customerId,
        reason,
      },
    });
    return true;
  });
  if (!replaced) {
    // A concurrent checkout replaced it first: use that one.
    const again = await deps.db.member.findUniqueOrThrow({ where: { id: memberId } });
    return again.stripeCustomerId ?? customerId;
  }
  deps.log.info({ event: "checkout.customer_replaced", memberId, oldCustomerId, customerId, why }, reason);
  return customerId;
}

/** A link to Stripe's billing portal, where the fan changes card or tier, or cancels. */
export async function openPortal(deps: MemberDeps, who: Identity): Promise<string> {
  await spendToken(deps, "portal", who);
  const identity = await deps.db.identity.findUnique({
    where: { platform_platformUserId: { platform: who.platform, platformUserId: who.userId } },
    include: { member: true },
  });
  const customerId = identity?.member.stripeCustomerId;
  if (!customerId) throw new DomainError("not_a_member");
  try {
    return await deps.billing.createPortal(customerId, portalReturnUrl(deps.publicBaseUrl));
  } catch (err) {
    if (err instanceof NetworkError) throw new DomainError("stripe_unavailable");
    if (err instanceof PlatformError && err.platform === "stripe") {
      const ref = stripeRefusalRef(deps.log, err, "portal.stripe_refused", {
        memberId: identity.member.id,
      });
      throw new DomainError("stripe_refused", { ref });
    }
    throw err;
  }
}

// --- Linking a second platform ------------------------------------------------------------------

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

/**
 * The creator detaches a member's account on one platform (a fan lost that account, or it was linked
 * by mistake), so another account can be linked. The account's access on that platform is revoked
 * through the usual access jobs (for every target it was last granted); the membership, its
 * subscriptions and its other account are untouched. The last account of a membership cannot be
 * unlinked: the subscription would belong to nobody.
 */
export async function unlinkIdentity(
  deps: MemberDeps,
  input: { memberId: string; platform: Platform; actor: string },
): Promise<{ platformUserId: string; username: string | null; revokes: number }> {
  const now = deps.clock.now();
  const result = await deps.db.$transaction(async (tx: Tx) => {
    const identities = await tx.identity.findMany({ where: { memberId: input.memberId } });
    const identity = identities.find((i) => i.platform === input.platform);
    if (!identity) throw new DomainError("member_no_account_on_platform", { platform: input.platform });
    if (identities.length === 1) throw new DomainError("unlink_last_account", { platform: input.platform });
    const who = { platform: identity.platform, userId: identity.platformUserId };
    await tx.identity.delete({
      where: { platform_platformUserId: { platform: who.platform, platformUserId: who.userId } },
    });
    const granted = await tx.accessJob.findMany({
      where: { platform: who.platform, platformUserId: who.userId, action: "grant" },
    });
    for (const job of granted) {
      const target = parseTargetKey(job.targetKey);
      if (!target) continue;
      await wantAccess(tx, {
        identity: who,
        target,
        memberId: input.memberId,
        action: "revoke",
        reason: `${who.platform} account ${who.userId} unlinked from the membership by the creator`,
        stripeEventId: null,
        now,
      });
    }
    await tx.memberHistory.create({
      data: {
        memberId: input.memberId,
        actor: input.actor,
        action: "identity.unlinked",
        fromState: `${who.platform}:${who.userId}`,
        reason: `unlinked by the creator; ${granted.length} access(es) on ${who.platform} revoked`,
      },
    });
    return { platformUserId: who.userId, username: identity.username, revokes: granted.length };
  });
  deps.log.info(
    {
      event: "member.identity_unlinked",
      memberId: input.memberId,
      platform: input.platform,
      platformUserId: result.platformUserId,
      actor: input.actor,
      revokes: result.revokes,
    },
    `${input.platform} account unlinked from the membership`,
  );
  if (result.revokes > 0) deps.onWork?.();
  return result;
}

// --- Looking a member up --------------------------------------------------------------------------

export async function lookupMember(
  db: Db,
  query: { platform: Platform; userId: string } | { memberId: string } | { customerId: string },
) {
  const where =
    "memberId" in query
      ? { id: query.memberId }
      : "customerId" in query
        ? { stripeCustomerId: query.customerId }
        : { identities: { some: { platform: query.platform, platformUserId: query.userId } } };
  const member = await db.member.findFirst({
    where,
    include: {
      identities: true,
      subscriptions: { include: { tier: true, holds: true }, orderBy: { startedAt: "desc" } },
      history: { orderBy: { id: "desc" }, take: 20 },
    },
  });
  if (!member) throw new DomainError("member_not_found");
  const jobs = member.identities.length
    ? await db.accessJob.findMany({
        where: {
          OR: member.identities.map((i) => ({ platform: i.platform, platformUserId: i.platformUserId })),
        },
      })
    : [];
  return { ...member, jobs };
}

/** Re-plans a member's access from the ledger; dead grants are tried again. */
export async function resyncMember(deps: MemberDeps, memberId: string, actor: string) {
  const r = await deps.db.$transaction((tx: Tx) =>
    syncMemberAccess(
      tx,
      memberId,
      { actor, reason: "re-sync requested", stripeEventId: null, now: deps.clock.now() },
      { force: true },
    ),
  );
  if (r.grants + r.revokes) deps.onWork?.();
  return r;
}

/** The creator takes a member's access away by hand (and keeps it away until restored). */
export async function suspendMember(deps: MemberDeps, memberId: string, actor: string, reason: string) {
  const now = deps.clock.now();
  const r = await deps.db.$transaction(async (tx: Tx) => {
    const { count } = await tx.member.updateMany({
      where: { id: memberId, suspendedAt: null },
      data: { suspendedAt: now, suspendedReason: reason },
    });
    if (count === 0) throw new DomainError("member_already_suspended");
    await tx.memberHistory.create({
      data: { memberId, actor, action: "member.suspended", reason: reason || "revoked by the creator" },
    });
    return syncMemberAccess(tx, memberId, {
      actor,
      reason: `revoked by the creator${reason ? `: ${reason}` : ""}`,
      stripeEventId: null,
      now,
    });
  });
  deps.log.info(
    { event: "member.suspended", memberId, actor, revokes: r.revokes },
    "member's access revoked by the creator",
  );
  if (r.revokes) deps.onWork?.();
  return r;
}

/** Lifts a suspension: the member gets back what their subscriptions owe them. */
export async function restoreMember(deps: MemberDeps, memberId: string, actor: string) {
  const now = deps.clock.now();
  const r = await deps.db.$transaction(async (tx: Tx) => {
    const { count } = await tx.member.updateMany({
      where: { id: memberId, suspendedAt: { not: null } },
      data: { suspendedAt: null, suspendedReason: null },
    });
    if (count === 0) throw new DomainError("member_not_suspended");
    await tx.memberHistory.create({
      data: { memberId, actor, action: "member.restored", reason: "restored by the creator" },
    });
    return syncMemberAccess(
      tx,
      memberId,
      { actor, reason: "restored by the creator", stripeEventId: null, now },
      { force: true },
    );
  });
  deps.log.info(
    { event: "member.restored", memberId, actor, grants: r.grants },
    "member restored by the creator",
  );
  if (r.grants) deps.onWork?.();
  return r;
}

/**
 * "Give me back my access": a fan who left a server or a group (or lost a role by hand) asks the bot
 * to check again. Every target the ledger owes this account is wished again, even where the last
 * job says done, so the platform executor re-applies it (idempotently).
 */
export async function claimAccess(deps: MemberDeps, who: Identity): Promise<{ owed: number }> {
  // Each claim may make new Telegram invite links: a fan asks a few times, a script is stopped.
  await spendToken(deps, "claim", who);
  return reapplyAccess(deps, who);
}

/**
 * The same re-application, done by the bot on its own (a member rejoined a Discord server): not
 * limited, since the fan did not ask and is owed it every time.
 */
export async function reapplyAccess(deps: MemberDeps, who: Identity): Promise<{ owed: number }> {
  const identity = await deps.db.identity.findUnique({
    where: { platform_platformUserId: { platform: who.platform, platformUserId: who.userId } },
  });
  if (!identity) throw new DomainError("not_a_member");
  const now = deps.clock.now();
  const owed = await deps.db.$transaction(async (tx: Tx) => {
    const member = await tx.member.findUniqueOrThrow({
      where: { id: identity.memberId },
      include: MEMBER_PLAN_INCLUDE,
    });
    const plan = await currentPlan(tx, member, now);
    const mine = plan.owed.filter(
      (o) => o.identity.platform === who.platform && o.identity.userId === who.userId,
    );
    for (const o of mine) {
      await wantAccess(tx, {
        identity: o.identity,
        target: o.target,
        memberId: member.id,
        action: "grant",
        reason: `claimed by the fan; subscription ${o.subscriptionId} of tier ${o.tierId}`,
        stripeEventId: null,
        now,
      });
    }
    await tx.memberHistory.create({
      data: {
        memberId: member.id,
        actor: `${who.platform}:${who.userId}`,
        action: "access.claimed",
        reason: `${mine.length} target(s) re-applied`,
      },
    });
    return mine.length;
  });
  deps.log.info(
    { event: "access.claimed", memberId: identity.memberId, platform: who.platform, owed },
    "fan claimed their access",
  );
  if (owed > 0) deps.onWork?.();
  else if (!(await hasEntitlement(deps.db, identity.memberId, now))) throw new DomainError("not_a_member");
  return { owed };
}

async function hasEntitlement(db: Db, memberId: string, now: Date): Promise<boolean> {
  const settings = await getSettings(db);
  const subs = await db.subscription.findMany({ where: { memberId }, include: { holds: true } });
  return subs.some((s) => isEntitledNow(s, settings.graceDays, now));
}

/**
 * A fan moves their subscription to another tier from the chat (the billing portal does the same):
 * Stripe prorates, and the ledger applies Stripe's answer at once, granting the new tier's access
 * before revoking the old one. The webhook that follows finds nothing left to change.
 */
export async function switchTier(
  deps: MemberDeps,
  who: Identity,
  tierSlug: string,
): Promise<{ tierName: string }> {
  const tier = await findTier(deps.db, tierSlug);
  if (tier.archivedAt) throw new DomainError("tier_archived", { tier: tier.slug });
  const price = tier.prices.find((p) => p.current && p.kind === "recurring");
  if (!price) throw new DomainError("no_price", { tier: tier.slug });
  const identity = await deps.db.identity.findUnique({
    where: { platform_platformUserId: { platform: who.platform, platformUserId: who.userId } },
    include: { member: { include: { subscriptions: true } } },
  });
  const member = identity?.member;
  const current = member?.subscriptions.find(
    (s) => s.kind === "recurring" && ["active", "trialing", "past_due"].includes(s.status),
  );
  if (!member?.stripeCustomerId || !current) throw new DomainError("not_a_member");
  if (current.tierId === tier.id) throw new DomainError("already_on_tier", { tier: tier.name });
  const fetchedAt = deps.clock.now();
  let state: Awaited<ReturnType<MemberDeps["billing"]["changeSubscriptionPrice"]>>;
  try {
    state = await deps.billing.changeSubscriptionPrice(current.id, price.stripePriceId);
  } catch (err) {
    if (err instanceof NetworkError) throw new DomainError("stripe_unavailable");
    if (err instanceof PlatformError && err.platform === "stripe") {
      const ref = stripeRefusalRef(deps.log, err, "tier_switch.stripe_refused", {
        memberId: member.id,
        tierId: tier.id,
      });
      throw new DomainError("stripe_refused", { ref });
    }
    throw err;
  }
  const customerId = member.stripeCustomerId;
  await deps.db.$transaction((tx: Tx) =>
    applyCustomerStates(
      tx,
      { customerId, metadata: {}, states: [state], paymentIntentId: null },
      fetchedAt,
      {
        actor: `${who.platform}:${who.userId}`,
        reason: `switched to tier ${tier.slug}`,
        stripeEventId: null,
        now: fetchedAt,
      },
      deps.log,
    ),
  );
  deps.log.info(
    { event: "member.tier_switched", memberId: member.id, subscriptionId: current.id, tierId: tier.id },
    `switched to ${tier.slug}`,
  );
  deps.onWork?.();
  return { tierName: tier.name };
}
