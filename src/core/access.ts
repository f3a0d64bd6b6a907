/**
 * From entitlements to access: which platform resources a member is owed, and the grant/revoke
 * actions that move what the ledger last asked for to what is owed now. Pure.
 */
import {
  type BillingSnapshot,
  type Entitlement,
  entitlementOf,
  type MembershipPolicy,
} from "./membership.ts";

export type Platform = "discord" | "telegram";

export type AccessTarget =
  | { platform: "discord"; guildId: string; roleId: string }
  | { platform: "telegram"; chatId: string };

/** A stable text key for a target: "discord:<guild>:<role>" or "telegram:<chat>". */
export function targetKey(t: AccessTarget): string {
  return t.platform === "discord" ? `discord:${t.guildId}:${t.roleId}` : `telegram:${t.chatId}`;
}

export function parseTargetKey(key: string): AccessTarget | undefined {
  const [platform, a, b] = key.split(":");
  if (platform === "discord" && a && b) return { platform, guildId: a, roleId: b };
  if (platform === "telegram" && a && b === undefined) return { platform, chatId: a };
  return undefined;
}

export interface Identity {
  platform: Platform;
  userId: string;
}

export interface SubscriptionView {
  id: string;
  tierId: string;
  billing: BillingSnapshot;
  /** When the subscription began (its trial included), and ended (null: not ended). */
  startedAt?: Date;
  endedAt?: Date | null;
}

/**
 * Why a target is owed: a tier's own resource, or one of the creator's optional roles beyond it
 * (a trial role while trialing, an alumni role once lapsed, tenure roles for continuous months).
 */
export type AccessKind = "tier" | "trial" | "alumni" | "tenure";

export interface OwedAccess {
  identity: Identity;
  target: AccessTarget;
  kind: AccessKind;
  /** The subscription that justifies it (the first entitled one, in the order given); null: alumni. */
  subscriptionId: string | null;
  /** The tier it opens; null for the roles beyond the tiers. */
  tierId: string | null;
}

/** The creator's optional roles beyond the tiers' (src/app/settings.ts); each off when null/empty. */
export interface ExtraRoles {
  /** Given while a subscription is in its free trial, taken when it converts or ends. */
  trial: AccessTarget | null;
  /** Given to a former member (nothing owed any more, once a member), taken when they return. */
  alumni: AccessTarget | null;
  /** Given once the continuous membership reaches `months`; several may be held at once. */
  tenure: readonly { months: number; target: AccessTarget }[];
}

export const NO_EXTRA_ROLES: ExtraRoles = { trial: null, alumni: null, tenure: [] };

/**
 * A member's continuous membership: counted from the start of the oldest subscription of the
 * unbroken chain that ends in an entitled one (a subscription that began before the previous one
 * ended continues it, as when a fan buys another tier then cancels the first; a free trial counts).
 */
export interface Tenure {
  /** When the continuous membership began; null when nothing is owed now. */
  since: Date | null;
  /** Whole months of continuous membership reached. */
  months: number;
  /** A member before this continuous membership began (a former member back). */
  returning: boolean;
}

/** `from` plus `months` calendar months (the day clamped to the month's last: 31 Jan + 1 = 28/29 Feb). */
export function addMonths(from: Date, months: number): Date {
  const d = new Date(from.getTime());
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  return d;
}

/** Whole calendar months from `since` to `now`. */
export function monthsBetween(since: Date, now: Date): number {
  let months = Math.max(
    0,
    (now.getUTCFullYear() - since.getUTCFullYear()) * 12 + now.getUTCMonth() - since.getUTCMonth(),
  );
  while (months > 0 && addMonths(since, months).getTime() > now.getTime()) months--;
  return months;
}

/**
 * A subscription that made its holder a member at some point: its first payment went through (or
 * its trial began) and no payment of it was taken back.
 */
function everMember(s: SubscriptionView): boolean {
  return (
    s.billing.status !== "incomplete" && s.billing.status !== "incomplete_expired" && !s.billing.holds.length
  );
}

/** A member's continuous membership, from their subscriptions and which of them owe access now. */
export function tenureOf(
  subscriptions: readonly SubscriptionView[],
  entitled: ReadonlySet<string>,
  now: Date,
): Tenure {
  const dated = subscriptions.filter((s) => s.startedAt && everMember(s));
  const current = dated.filter((s) => entitled.has(s.id));
  if (current.length === 0) return { since: null, months: 0, returning: dated.length > 0 };
  let since = Math.min(...current.map((s) => (s.startedAt as Date).getTime()));
  const chain = new Set(current.map((s) => s.id));
  // Walk back through subscriptions that ended (or were still running) when the chain began.
  for (let grew = true; grew; ) {
    grew = false;
    for (const s of dated) {
      if (chain.has(s.id)) continue;
      const end = (s.endedAt ?? s.billing.currentPeriodEnd ?? s.startedAt ?? now).getTime();
      if (end > since) {
        chain.add(s.id);
        since = Math.min(since, (s.startedAt as Date).getTime());
        grew = true;
      }
    }
  }
  const start = new Date(since);
  return {
    since: start,
    months: monthsBetween(start, now),
    returning: dated.some((s) => !chain.has(s.id)),
  };
}

export interface MemberAccessPlan {
  owed: OwedAccess[];
  /** Entitlement of each subscription, for history and messages. */
  entitlements: Map<string, Entitlement>;
  /** The earliest moment the plan changes by itself (grace end, period end), if any. */
  reviewAt: Date | null;
  /** A subscription is past due inside its grace period: remind the fan. */
  remind: boolean;
  tenure: Tenure;
}

/**
 * What a member is owed now: every target of every tier with an entitled subscription, for each
 * of the member's identities on that target's platform; and the creator's optional roles beyond
 * the tiers (`extra`): the trial role while an entitled subscription is trialing, the tenure roles
 * the continuous membership reached (the next one is a review date), and the alumni role when
 * nothing is owed any more to a former member (not while a pause holds their access back).
 */
export function planMemberAccess(input: {
  subscriptions: readonly SubscriptionView[];
  tierTargets: ReadonlyMap<string, readonly AccessTarget[]>;
  identities: readonly Identity[];
  policy: MembershipPolicy;
  now: Date;
  extra?: ExtraRoles;
}): MemberAccessPlan {
  const entitlements = new Map<string, Entitlement>();
  const owed = new Map<string, OwedAccess>();
  let reviewAt: Date | null = null;
  let remind = false;
  const owe = (
    target: AccessTarget,
    kind: AccessKind,
    subscriptionId: string | null,
    tierId: string | null,
  ) => {
    for (const identity of input.identities) {
      if (identity.platform !== target.platform) continue;
      const key = `${identity.platform}:${identity.userId}|${targetKey(target)}`;
      if (!owed.has(key)) owed.set(key, { identity, target, kind, subscriptionId, tierId });
    }
  };
  const review = (at: Date | null) => {
    if (at && (!reviewAt || at < reviewAt)) reviewAt = at;
  };
  const entitled = new Set<string>();
  for (const sub of input.subscriptions) {
    const e = entitlementOf(sub.billing, input.policy, input.now);
    entitlements.set(sub.id, e);
    if (!e.entitled) continue;
    entitled.add(sub.id);
    review(e.reviewAt);
    remind ||= e.remind;
    for (const target of input.tierTargets.get(sub.tierId) ?? []) owe(target, "tier", sub.id, sub.tierId);
  }
  const tenure = tenureOf(input.subscriptions, entitled, input.now);
  const extra = input.extra ?? NO_EXTRA_ROLES;
  const first = input.subscriptions.find((s) => entitled.has(s.id));
  if (first) {
    const trialing = input.subscriptions.find((s) => entitled.has(s.id) && s.billing.status === "trialing");
    if (extra.trial && trialing) owe(extra.trial, "trial", trialing.id, null);
    if (tenure.since) {
      for (const step of [...extra.tenure].sort((a, b) => a.months - b.months)) {
        const at = addMonths(tenure.since, step.months);
        if (at.getTime() <= input.now.getTime()) owe(step.target, "tenure", first.id, null);
        else {
          review(at);
          break;
        }
      }
    }
  } else if (extra.alumni && tenure.returning) {
    const pausedAway = [...entitlements.values()].some((e) => e.reason === "collection_paused");
    if (!pausedAway) owe(extra.alumni, "alumni", null, null);
  }
  return { owed: [...owed.values()], entitlements, reviewAt, remind, tenure };
}

/** What the ledger last asked the platform for, per identity and target. */
export interface LedgerAccess {
  identity: Identity;
  target: AccessTarget;
  action: "grant" | "revoke";
}

export interface AccessAction {
  action: "grant" | "revoke";
  identity: Identity;
  target: AccessTarget;
  /** For grants, why it is owed, and the subscription and tier that justify it. */
  kind?: AccessKind;
  subscriptionId?: string | null;
  tierId?: string | null;
}

/**
 * The actions that take the ledger from `current` to `owed`: grant what is owed and not granted,
 * revoke what was granted and is no longer owed. Grants come first, so that a tier swap adds the new
 * access before it removes the old one and the fan is never left with nothing in between.
 */
export function diffAccess(owed: readonly OwedAccess[], current: readonly LedgerAccess[]): AccessAction[] {
  const key = (i: Identity, t: AccessTarget) => `${i.platform}:${i.userId}|${targetKey(t)}`;
  const granted = new Set(current.filter((c) => c.action === "grant").map((c) => key(c.identity, c.target)));
  const owedKeys = new Set(owed.map((o) => key(o.identity, o.target)));
  const grants: AccessAction[] = owed
    .filter((o) => !granted.has(key(o.identity, o.target)))
    .map((o) => ({
      action: "grant",
      identity: o.identity,
      target: o.target,
      kind: o.kind,
      subscriptionId: o.subscriptionId,
      tierId: o.tierId,
    }));
  const revokes: AccessAction[] = current
    .filter((c) => c.action === "grant" && !owedKeys.has(key(c.identity, c.target)))
    .map((c) => ({ action: "revoke", identity: c.identity, target: c.target }));
  return [...grants, ...revokes];
}
