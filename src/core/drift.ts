/**
 * Drift: where Stripe, the ledger and the platforms disagree, and the corrections that bring them
 * back in line. Reconciliation (src/app/reconcile.ts) reads Stripe, the ledger and each platform,
 * hands what it read to these functions, and acts on what they return.
 *
 * Pure: no I/O, no clock. Every rule is a GIVEN/THEN in test/unit/core/drift.test.ts.
 */
import {
  type AccessAction,
  type AccessTarget,
  type Identity,
  type OwedAccess,
  type Platform,
  parseTargetKey,
  targetKey,
} from "./access.ts";
import { isBillingStatus } from "./membership.ts";

/** One change between the ledger's record of a subscription and Stripe's. */
export type SubscriptionChange =
  | { field: "status"; from: string; to: string }
  | { field: "price"; from: string; to: string }
  | { field: "cancel_at_period_end"; from: boolean; to: boolean }
  | { field: "period_end" }
  /** Stripe's collection pause began (`to` true) or ended. */
  | { field: "pause"; from: boolean; to: boolean }
  /** Still paused, until another date. */
  | { field: "pause_end" };

/** A disagreement as facts, for each reader to word in their language. */
export type DriftFact =
  | { kind: "stripe"; customerId: string; subscriptionId: string; missing: { status: string } }
  | { kind: "stripe"; customerId: string; subscriptionId: string; changes: SubscriptionChange[] }
  /** The ledger's last wish for this account and target is behind what is owed. */
  | { kind: "ledger"; action: AccessAction["action"]; platform: Platform; userId: string; target: string }
  /** The platform disagrees with what is owed, and the ledger's own actions do not repair it. */
  | { kind: "platform"; action: AccessAction["action"]; platform: Platform; userId: string; target: string };

export interface DriftItem {
  kind: DriftFact["kind"];
  memberId: string | null;
  /** The disagreement in English, for the logs. */
  what: string;
  fact: DriftFact;
}

// --- Stripe → ledger ------------------------------------------------------------------------------

/** A subscription as Stripe describes it now. */
export interface StripeSubscriptionView {
  id: string;
  status: string;
  priceId: string;
  cancelAtPeriodEnd: boolean;
  currentPeriodEnd: Date | null;
  /** Stripe's `pause_collection` (null: not paused). */
  pause: { resumesAt: Date | null } | null;
}

/** The same subscription as the ledger recorded it. */
export interface LedgerSubscriptionView {
  status: string;
  stripePriceId: string;
  cancelAtPeriodEnd: boolean;
  currentPeriodEnd: Date | null;
  pausedSince: Date | null;
  pauseResumesAt: Date | null;
}

/**
 * The customers whose subscriptions the ledger records differently from Stripe (missing, or another
 * status, price, cancellation, period end or collection pause), each with what differs. Stripe's state of those
 * customers is then applied as a webhook would. A status the ledger does not know counts as canceled.
 */
export function stripeDrift(
  stripe: ReadonlyMap<string, readonly StripeSubscriptionView[]>,
  ledger: ReadonlyMap<string, LedgerSubscriptionView>,
): { customersToApply: string[]; drift: DriftItem[] } {
  const customersToApply: string[] = [];
  const drift: DriftItem[] = [];
  for (const [customerId, states] of stripe) {
    const differences = states.flatMap((s): DriftFact[] => {
      const l = ledger.get(s.id);
      const status = isBillingStatus(s.status) ? s.status : "canceled";
      const ids = { kind: "stripe" as const, customerId, subscriptionId: s.id };
      if (!l) return [{ ...ids, missing: { status } }];
      const changes: SubscriptionChange[] = [];
      if (l.status !== status) changes.push({ field: "status", from: l.status, to: status });
      if (l.stripePriceId !== s.priceId)
        changes.push({ field: "price", from: l.stripePriceId, to: s.priceId });
      if (l.cancelAtPeriodEnd !== s.cancelAtPeriodEnd)
        changes.push({ field: "cancel_at_period_end", from: l.cancelAtPeriodEnd, to: s.cancelAtPeriodEnd });
      if ((l.currentPeriodEnd?.getTime() ?? null) !== (s.currentPeriodEnd?.getTime() ?? null))
        changes.push({ field: "period_end" });
      const paused = l.pausedSince !== null;
      if (paused !== (s.pause !== null)) changes.push({ field: "pause", from: paused, to: s.pause !== null });
      else if (s.pause && (l.pauseResumesAt?.getTime() ?? null) !== (s.pause.resumesAt?.getTime() ?? null))
        changes.push({ field: "pause_end" });
      return changes.length ? [{ ...ids, changes }] : [];
    });
    if (differences.length === 0) continue;
    customersToApply.push(customerId);
    for (const fact of differences)
      drift.push({ kind: "stripe", memberId: null, what: driftWhat(fact), fact });
  }
  return { customersToApply, drift };
}

// --- Ledger and platforms, one member at a time ---------------------------------------------------

/**
 * How each platform hands access over. "direct": the bot gives it (a Discord role), so owed access
 * not held is missing. "invite": the bot sends a personal invite the fan still has to use (a Telegram
 * group), so a grant carried out but not held yet is waiting on the fan, not missing.
 */
export type Handover = "direct" | "invite";

export const PLATFORM_HANDOVER: Readonly<Record<Platform, Handover>> = {
  discord: "direct",
  telegram: "invite",
};

/** What the platforms showed, read before the members are compared. */
export interface PlatformSnapshot {
  /** Who holds each target (by target key), for platforms that can list holders. */
  holders: ReadonlyMap<string, ReadonlySet<string>>;
  /** Who is where each target lives (a Discord server's members), when the platform can list them. */
  present: ReadonlyMap<string, ReadonlySet<string>>;
}

/** The ledger's last wish for an account and a target (an access job). */
export interface LedgerJob {
  platform: Platform;
  platformUserId: string;
  targetKey: string;
  action: "grant" | "revoke";
  state: string;
}

/** An account on a target whose holder list the platform cannot give: it is asked about that account. */
export interface HoldsQuestion {
  userId: string;
  target: AccessTarget;
}

export const questionKey = (userId: string, target: AccessTarget): string => `${userId}|${targetKey(target)}`;

export interface PlatformFix {
  action: "grant" | "revoke";
  platform: Platform;
  userId: string;
  target: AccessTarget;
  why: string;
}

export interface MemberDriftInput {
  memberId: string;
  identities: readonly Identity[];
  /** What the member is owed now. */
  owed: readonly OwedAccess[];
  /** The actions that take the ledger's last wishes to what is owed (already a repair of their own). */
  actions: readonly AccessAction[];
  /** The ledger's last wishes for the member's accounts. */
  jobs: readonly LedgerJob[];
  /** Every target a tier opens, by target key. */
  targets: ReadonlyMap<string, AccessTarget>;
  snapshot: PlatformSnapshot;
  /**
   * The platforms' answers about single accounts (by questionKey): true held, false not held, null
   * cannot tell. A question the drift needs and finds no answer to is listed in `questions`.
   */
  answers: ReadonlyMap<string, boolean | null>;
  handover: Readonly<Record<Platform, Handover>>;
}

export interface MemberDrift {
  /** What differs: ledger wishes behind what is owed, then platform reality against what is owed. */
  drift: DriftItem[];
  /** Platform differences the ledger's own actions do not already repair. */
  platformFixes: PlatformFix[];
  /** Owed access not repaired because it waits on the fan (not in the server, invite not used). */
  waitingOnFan: number;
  /**
   * Accounts to ask the platform about, one at a time, in this order. While any is unanswered,
   * the rest of the result is not final: ask them and compute again with the answers.
   */
  questions: HoldsQuestion[];
}

/**
 * Compares one member's ledger and platform state with what they are owed:
 * - every action of `actions` is drift of the ledger (its jobs were behind);
 * - owed access not held is granted again, unless the fan is not where the target lives (the role
 *   is given when they join), or an invite was sent and not used yet, or the ledger already grants it;
 * - access held on a tier's target and not owed is revoked, unless the ledger already revokes it.
 * Where the platform cannot list a target's holders, only accounts owed the target, or to which the
 * ledger ever wished it, are asked about; others count as not holding it. An account the platform
 * cannot tell about (null) is left alone.
 */
export function memberDrift(input: MemberDriftInput): MemberDrift {
  const { snapshot, jobs, actions } = input;
  const drift: DriftItem[] = [];
  const questions: HoldsQuestion[] = [];
  const platformFixes: PlatformFix[] = [];
  let waitingOnFan = 0;
  for (const a of actions) {
    const fact: DriftFact = {
      kind: "ledger",
      action: a.action,
      platform: a.identity.platform,
      userId: a.identity.userId,
      target: targetKey(a.target),
    };
    drift.push({ kind: "ledger", memberId: input.memberId, what: driftWhat(fact), fact });
  }
  /** Whether the account holds the target: from the holder list, else the platform's answer. */
  const holds = (userId: string, target: AccessTarget): boolean | null => {
    const listed = snapshot.holders.get(targetKey(target));
    if (listed) return listed.has(userId);
    const key = questionKey(userId, target);
    const answer = input.answers.get(key);
    if (answer !== undefined) return answer;
    questions.push({ userId, target });
    return null;
  };
  const owedKeys = new Set(
    input.owed.map((o) => `${o.identity.platform}:${o.identity.userId}|${targetKey(o.target)}`),
  );
  for (const o of input.owed) {
    const key = targetKey(o.target);
    // Not where the target lives: the access is given when they join (and /claim gives it at once).
    if (snapshot.present.get(key)?.has(o.identity.userId) === false) {
      waitingOnFan++;
      continue;
    }
    const held = holds(o.identity.userId, o.target);
    // An invite was sent and not used yet. Sending a new one at every pass would pester the fan;
    // /claim sends a fresh one when they want it.
    const lastJob = jobs.find(
      (j) =>
        j.targetKey === key && j.platform === o.identity.platform && j.platformUserId === o.identity.userId,
    );
    if (
      held === false &&
      input.handover[o.target.platform] === "invite" &&
      lastJob?.action === "grant" &&
      lastJob.state === "done"
    ) {
      waitingOnFan++;
      continue;
    }
    if (
      held === false &&
      !actions.some(
        (a) => a.action === "grant" && targetKey(a.target) === key && a.identity.userId === o.identity.userId,
      )
    ) {
      platformFixes.push({
        action: "grant",
        platform: o.identity.platform,
        userId: o.identity.userId,
        target: o.target,
        why: "owed but not held on the platform",
      });
    }
  }
  for (const i of input.identities) {
    for (const [key, target] of input.targets) {
      if (target.platform !== i.platform || owedKeys.has(`${i.platform}:${i.userId}|${key}`)) continue;
      // A platform that cannot list holders is asked only about accounts the ledger ever wished this target.
      const everWished = jobs.some((j) => j.targetKey === key && j.platformUserId === i.userId);
      const held = snapshot.holders.has(key) || everWished ? holds(i.userId, target) : false;
      if (
        held === true &&
        !actions.some(
          (a) => a.action === "revoke" && targetKey(a.target) === key && a.identity.userId === i.userId,
        )
      ) {
        platformFixes.push({
          action: "revoke",
          platform: i.platform,
          userId: i.userId,
          target,
          why: "held on the platform but not owed",
        });
      }
    }
  }
  for (const f of platformFixes) {
    const fact: DriftFact = {
      kind: "platform",
      action: f.action,
      platform: f.platform,
      userId: f.userId,
      target: targetKey(f.target),
    };
    drift.push({ kind: "platform", memberId: input.memberId, what: driftWhat(fact), fact });
  }
  return { drift, platformFixes, waitingOnFan, questions };
}

/** A disagreement in English, for the logs (readers get DriftFact worded in their language). */
export function driftWhat(fact: DriftFact): string {
  switch (fact.kind) {
    case "stripe": {
      const head = `customer ${fact.customerId}: subscription ${fact.subscriptionId}`;
      if ("missing" in fact) return `${head} missing from the ledger (${fact.missing.status})`;
      const changes = fact.changes.map((c) =>
        c.field === "period_end"
          ? "period end moved"
          : c.field === "pause_end"
            ? "pause end moved"
            : c.field === "pause"
              ? `collection ${c.to ? "paused" : "resumed"}`
              : `${c.field === "cancel_at_period_end" ? "cancel at period end" : c.field} ${c.from} → ${c.to}`,
      );
      return `${head}: ${changes.join(", ")}`;
    }
    case "ledger":
      return `${fact.action} ${fact.platform}:${fact.userId} ${fact.target} not yet wished`;
    case "platform":
      return `${fact.action} ${fact.platform}:${fact.userId} ${fact.target}: ${
        fact.action === "grant" ? "owed but not held on the platform" : "held on the platform but not owed"
      }`;
  }
}

// --- Accounts the ledger does not know ------------------------------------------------------------

/**
 * Accounts that hold a tier's target but are unknown to the ledger (`known`: "platform:userId"):
 * reported, never touched (a moderator, a role given by hand to someone who never paid).
 */
export function unmanagedHolders(
  holders: ReadonlyMap<string, ReadonlySet<string>>,
  known: ReadonlySet<string>,
): { platform: Platform; userId: string; target: string }[] {
  const found: { platform: Platform; userId: string; target: string }[] = [];
  for (const [key, users] of holders) {
    const target = parseTargetKey(key);
    if (!target) continue;
    for (const userId of users) {
      if (!known.has(`${target.platform}:${userId}`))
        found.push({ platform: target.platform, userId, target: key });
    }
  }
  return found;
}
