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
}

export interface OwedAccess {
  identity: Identity;
  target: AccessTarget;
  /** The subscription that justifies it (the first entitled one, in the order given). */
  subscriptionId: string;
  tierId: string;
}

export interface MemberAccessPlan {
  owed: OwedAccess[];
  /** Entitlement of each subscription, for history and messages. */
  entitlements: Map<string, Entitlement>;
  /** The earliest moment the plan changes by itself (grace end, period end), if any. */
  reviewAt: Date | null;
  /** A subscription is past due inside its grace period: remind the fan. */
  remind: boolean;
}

/**
 * What a member is owed now: every target of every tier with an entitled subscription, for each
 * of the member's identities on that target's platform.
 */
export function planMemberAccess(input: {
  subscriptions: readonly SubscriptionView[];
  tierTargets: ReadonlyMap<string, readonly AccessTarget[]>;
  identities: readonly Identity[];
  policy: MembershipPolicy;
  now: Date;
}): MemberAccessPlan {
  const entitlements = new Map<string, Entitlement>();
  const owed = new Map<string, OwedAccess>();
  let reviewAt: Date | null = null;
  let remind = false;
  for (const sub of input.subscriptions) {
    const e = entitlementOf(sub.billing, input.policy, input.now);
    entitlements.set(sub.id, e);
    if (!e.entitled) continue;
    if (e.reviewAt && (!reviewAt || e.reviewAt < reviewAt)) reviewAt = e.reviewAt;
    remind ||= e.remind;
    for (const target of input.tierTargets.get(sub.tierId) ?? []) {
      for (const identity of input.identities) {
        if (identity.platform !== target.platform) continue;
        const key = `${identity.platform}:${identity.userId}|${targetKey(target)}`;
        if (!owed.has(key)) owed.set(key, { identity, target, subscriptionId: sub.id, tierId: sub.tierId });
      }
    }
  }
  return { owed: [...owed.values()], entitlements, reviewAt, remind };
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
  /** For grants, the subscription and tier that justify it. */
  subscriptionId?: string;
  tierId?: string;
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
      subscriptionId: o.subscriptionId,
      tierId: o.tierId,
    }));
  const revokes: AccessAction[] = current
    .filter((c) => c.action === "grant" && !owedKeys.has(key(c.identity, c.target)))
    .map((c) => ({ action: "revoke", identity: c.identity, target: c.target }));
  return [...grants, ...revokes];
}
