import { type AccessTarget, type Platform, parseTargetKey, targetKey } from "../core/access.ts";
import { isBillingStatus } from "../core/membership.ts";
import type { Logger } from "../log.ts";
import { wantAccess } from "./access/jobs.ts";
import { applyCustomerStates } from "./billing/applyStripeEvent.ts";
import type { Billing, SubscriptionState } from "./billing/billing.ts";
import type { Db } from "./db.ts";
import {
  decideMemberAccess,
  type JobForPlan,
  loadTierTargets,
  MEMBER_PLAN_INCLUDE,
  owedKey,
  syncMemberAccess,
} from "./membership/syncMemberAccess.ts";
import { getSettings } from "./settings.ts";
import type { Clock } from "./worker.ts";

/**
 * Reads who holds a platform resource now. Discord can list a role's holders (`holders`);
 * Telegram can only be asked about one user at a time (`holds`). null means "cannot tell"
 * (resource gone, bot without rights): reconciliation then leaves that target alone.
 */
export interface AccessReader {
  readonly platform: Platform;
  holders?(target: AccessTarget): Promise<ReadonlySet<string> | null>;
  holds?(userId: string, target: AccessTarget): Promise<boolean | null>;
  /**
   * Who is where the target lives (a Discord server's members), when the platform can list them:
   * a fan who owes a role but is not in the server gets it when they join, not from reconciliation.
   */
  present?(target: AccessTarget): Promise<ReadonlySet<string> | null>;
}

export interface ReconcileDeps {
  db: Db;
  billing: Billing;
  clock: Clock;
  log: Logger;
  readers: readonly AccessReader[];
  onWork?: () => void;
}

export interface DriftItem {
  kind: "stripe" | "ledger" | "platform";
  memberId: string | null;
  what: string;
}

export interface ReconcileReport {
  dryRun: boolean;
  subscriptionsChecked: number;
  membersChecked: number;
  drift: DriftItem[];
  /** Owed access left for the fan to take: not in the Discord server yet, Telegram invite not used yet. */
  waitingOnFan: number;
  /** Accounts that hold a tier's role but are unknown to the ledger: reported, never touched. */
  unmanagedHolders: { platform: Platform; userId: string; target: string }[];
  /** Targets that could not be read (deleted role, chat without the bot's rights). */
  unreadableTargets: string[];
  ms: number;
}

const BATCH = 200;

/**
 * Compares Stripe, the ledger and each platform, and repairs the drift through the same durable
 * jobs as everything else: a webhook missed (Stripe ≠ ledger), a timer missed or a dead grant
 * (ledger ≠ its jobs), a role removed or added by hand or a fan who left and came back
 * (platform ≠ ledger). With `dryRun`, reports what it would change and changes nothing.
 */
export async function reconcile(deps: ReconcileDeps, opts: { dryRun: boolean }): Promise<ReconcileReport> {
  const started = Date.now();
  const log = deps.log.child({ module: "reconcile", dryRun: opts.dryRun });
  const ctx = (reason: string) => ({
    actor: "reconcile",
    reason: `reconciliation: ${reason}`,
    stripeEventId: null,
    now: deps.clock.now(),
  });
  const drift: DriftItem[] = [];
  let work = 0;

  // 1. Stripe → ledger.
  const fetchedAt = deps.clock.now();
  const byCustomer = new Map<string, SubscriptionState[]>();
  let subscriptionsChecked = 0;
  for await (const s of deps.billing.allSubscriptions()) {
    subscriptionsChecked++;
    const list = byCustomer.get(s.customerId) ?? [];
    list.push(s);
    byCustomer.set(s.customerId, list);
  }
  // Only the ledger rows Stripe spoke of, a chunk at a time: never the whole table in memory.
  const stripeIds = [...byCustomer.values()].flatMap((states) => states.map((s) => s.id));
  const ledgerSubs = new Map<string, Awaited<ReturnType<typeof deps.db.subscription.findMany>>[number]>();
  for (let i = 0; i < stripeIds.length; i += 1000) {
    const rows = await deps.db.subscription.findMany({ where: { id: { in: stripeIds.slice(i, i + 1000) } } });
    for (const row of rows) ledgerSubs.set(row.id, row);
  }
  const customersToApply: string[] = [];
  for (const [customerId, states] of byCustomer) {
    const differences = states.flatMap((s) => {
      const l = ledgerSubs.get(s.id);
      const status = isBillingStatus(s.status) ? s.status : "canceled";
      if (!l) return [`subscription ${s.id} missing from the ledger (${status})`];
      const diffs: string[] = [];
      if (l.status !== status) diffs.push(`status ${l.status} → ${status}`);
      if (l.stripePriceId !== s.priceId) diffs.push(`price ${l.stripePriceId} → ${s.priceId}`);
      if (l.cancelAtPeriodEnd !== s.cancelAtPeriodEnd)
        diffs.push(`cancel at period end ${l.cancelAtPeriodEnd} → ${s.cancelAtPeriodEnd}`);
      if ((l.currentPeriodEnd?.getTime() ?? null) !== (s.currentPeriodEnd?.getTime() ?? null))
        diffs.push("period end moved");
      return diffs.length ? [`subscription ${s.id}: ${diffs.join(", ")}`] : [];
    });
    if (differences.length === 0) continue;
    customersToApply.push(customerId);
    for (const what of differences)
      drift.push({ kind: "stripe", memberId: null, what: `customer ${customerId}: ${what}` });
  }
  if (!opts.dryRun) {
    for (const customerId of customersToApply) {
      await deps.db.$transaction(
        (tx) =>
          applyCustomerStates(
            tx,
            { customerId, metadata: {}, states: byCustomer.get(customerId) ?? [], paymentIntentId: null },
            fetchedAt,
            ctx("Stripe state differed from the ledger"),
            log,
          ),
        { timeout: 30_000 },
      );
      work++;
    }
  }

  // 2. Ledger → jobs, and 3. platforms → ledger, member by member in batches.
  const settings = await getSettings(deps.db);
  const tierTargets = await loadTierTargets(deps.db);
  const allTargets = new Map<string, AccessTarget>();
  for (const list of tierTargets.values()) for (const t of list) allTargets.set(targetKey(t), t);

  // Who holds each target now, for platforms that can list holders.
  const holdersByTarget = new Map<string, ReadonlySet<string>>();
  const presentByTarget = new Map<string, ReadonlySet<string>>();
  const unreadableTargets: string[] = [];
  for (const [key, target] of allTargets) {
    const reader = deps.readers.find((r) => r.platform === target.platform);
    if (!reader?.holders) continue;
    const holders = await reader.holders(target);
    if (holders) holdersByTarget.set(key, holders);
    else unreadableTargets.push(key);
    const present = holders && (await reader.present?.(target));
    if (present) presentByTarget.set(key, present);
  }
  /** Owed access not repaired because it is waiting on the fan (not in the server, invite unused). */
  let waitingOnFan = 0;
  await refreshPlannerStatistics(deps.db, log);
  const known = new Set<string>();
  let membersChecked = 0;
  let cursor: string | undefined;
  for (;;) {
    // Keyset pages on the primary key. Members without identities are skipped here rather than
    // with an EXISTS in SQL: PostgreSQL runs that as a merge join reading the identity index from
    // its start on every page, which made a pass over the ledger quadratic in its size.
    const page = await deps.db.member.findMany({
      where: cursor ? { id: { gt: cursor } } : {},
      include: MEMBER_PLAN_INCLUDE,
      orderBy: { id: "asc" },
      take: BATCH,
    });
    if (page.length === 0) break;
    cursor = page[page.length - 1]?.id;
    const members = page.filter((m) => m.identities.length > 0);
    if (members.length === 0) continue;
    membersChecked += members.length;
    // One `IN` list per platform (an index range scan each) instead of one OR branch per account.
    const idsByPlatform = new Map<Platform, string[]>();
    for (const m of members)
      for (const i of m.identities) {
        const list = idsByPlatform.get(i.platform) ?? [];
        list.push(i.platformUserId);
        idsByPlatform.set(i.platform, list);
      }
    const jobs = await deps.db.accessJob.findMany({
      where: {
        OR: [...idsByPlatform].map(([platform, ids]) => ({ platform, platformUserId: { in: ids } })),
      },
      select: { platform: true, platformUserId: true, targetKey: true, action: true, state: true },
    });
    const jobsByUser = new Map<string, JobForPlan[]>();
    for (const j of jobs) {
      const k = `${j.platform}:${j.platformUserId}`;
      const list = jobsByUser.get(k) ?? [];
      list.push(j);
      jobsByUser.set(k, list);
    }
    for (const member of members) {
      for (const i of member.identities) known.add(`${i.platform}:${i.platformUserId}`);
      const memberJobs = member.identities.flatMap(
        (i) => jobsByUser.get(`${i.platform}:${i.platformUserId}`) ?? [],
      );
      const decided = decideMemberAccess({
        member,
        jobs: memberJobs,
        tierTargets,
        graceDays: settings.graceDays,
        now: deps.clock.now(),
        force: true,
      });
      for (const a of decided.actions) {
        drift.push({
          kind: "ledger",
          memberId: member.id,
          what: `${a.action} ${a.identity.platform}:${a.identity.userId} ${targetKey(a.target)} not yet wished`,
        });
      }
      // Platform reality against what is owed.
      const owedKeys = new Set(
        decided.plan.owed.map((o) => `${o.identity.platform}:${o.identity.userId}|${targetKey(o.target)}`),
      );
      const platformFixes: {
        action: "grant" | "revoke";
        platform: Platform;
        userId: string;
        target: AccessTarget;
        why: string;
      }[] = [];
      for (const o of decided.plan.owed) {
        const key = targetKey(o.target);
        // Not in the server: the role is given when they join (and /claim gives it at once).
        if (presentByTarget.get(key)?.has(o.identity.userId) === false) {
          waitingOnFan++;
          continue;
        }
        const holds = await holdsNow(deps.readers, holdersByTarget, o.identity.userId, o.target);
        // Telegram access is a personal invite: one was sent and not used yet. Sending a new one at
        // every pass would pester the fan; /claim sends a fresh link when they want it.
        const lastJob = memberJobs.find(
          (j) =>
            j.targetKey === key &&
            j.platform === o.identity.platform &&
            j.platformUserId === o.identity.userId,
        );
        if (
          holds === false &&
          o.target.platform === "telegram" &&
          lastJob?.action === "grant" &&
          lastJob.state === "done"
        ) {
          waitingOnFan++;
          continue;
        }
        if (
          holds === false &&
          !decided.actions.some(
            (a) =>
              a.action === "grant" && targetKey(a.target) === key && a.identity.userId === o.identity.userId,
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
      for (const i of member.identities) {
        for (const [key, target] of allTargets) {
          if (target.platform !== i.platform || owedKeys.has(`${i.platform}:${i.platformUserId}|${key}`))
            continue;
          const holders = holdersByTarget.get(key);
          // Telegram cannot list holders: ask only about users the ledger ever granted this chat.
          const everGranted = memberJobs.some(
            (j) => j.targetKey === key && j.platformUserId === i.platformUserId,
          );
          const holds = holders
            ? holders.has(i.platformUserId)
            : everGranted
              ? await holdsNow(deps.readers, holdersByTarget, i.platformUserId, target)
              : false;
          if (
            holds === true &&
            !decided.actions.some(
              (a) =>
                a.action === "revoke" &&
                targetKey(a.target) === key &&
                a.identity.userId === i.platformUserId,
            )
          ) {
            platformFixes.push({
              action: "revoke",
              platform: i.platform,
              userId: i.platformUserId,
              target,
              why: "held on the platform but not owed",
            });
          }
        }
      }
      for (const f of platformFixes) {
        drift.push({
          kind: "platform",
          memberId: member.id,
          what: `${f.action} ${f.platform}:${f.userId} ${targetKey(f.target)}: ${f.why}`,
        });
      }
      if (opts.dryRun || (decided.actions.length === 0 && platformFixes.length === 0)) continue;
      await deps.db.$transaction(async (tx) => {
        // Decide again on fresh rows, inside the transaction: a webhook may have changed this member
        // since the batch was read, and its newer wish must not be overwritten by an older view.
        const fresh = await syncMemberAccess(tx, member.id, ctx("the ledger's jobs were behind"), {
          force: true,
        });
        for (const f of platformFixes) {
          if ((f.action === "grant") !== fresh.owed.has(owedKey(f.platform, f.userId, f.target))) continue;
          await wantAccess(tx, {
            identity: { platform: f.platform, userId: f.userId },
            target: f.target,
            memberId: member.id,
            action: f.action,
            reason: `reconciliation: ${f.why}`,
            stripeEventId: null,
            now: deps.clock.now(),
          });
          await tx.memberHistory.create({
            data: {
              memberId: member.id,
              actor: "reconcile",
              action: `access.${f.action}.requested`,
              toState: `${f.platform}:${f.userId} ${targetKey(f.target)}`,
              reason: `reconciliation: ${f.why}`,
            },
          });
        }
      });
      work++;
    }
  }

  const unmanagedHolders: ReconcileReport["unmanagedHolders"] = [];
  for (const [key, holders] of holdersByTarget) {
    const target = parseTargetKey(key);
    if (!target) continue;
    for (const userId of holders) {
      if (!known.has(`${target.platform}:${userId}`))
        unmanagedHolders.push({ platform: target.platform, userId, target: key });
    }
  }

  if (work > 0) deps.onWork?.();
  const report: ReconcileReport = {
    dryRun: opts.dryRun,
    subscriptionsChecked,
    membersChecked,
    drift,
    waitingOnFan,
    unmanagedHolders,
    unreadableTargets,
    ms: Date.now() - started,
  };
  log.info(
    {
      event: "reconcile.done",
      subscriptionsChecked,
      membersChecked,
      drift: drift.length,
      unmanagedHolders: unmanagedHolders.length,
      unreadableTargets: unreadableTargets.length,
      waitingOnFan,
      ms: report.ms,
    },
    `reconciliation ${opts.dryRun ? "(dry run) " : ""}found ${drift.length} difference(s)`,
  );
  for (const d of drift.slice(0, 200))
    log.info({ event: "reconcile.drift", kind: d.kind, memberId: d.memberId, dryRun: opts.dryRun }, d.what);
  return report;
}

/**
 * Refreshes the planner's statistics of the tables a pass reads. PGlite runs no autovacuum, so
 * without this its planner never learns the ledger's size and answers each page's `IN` lists
 * with sequential scans (a pass over 100,000 members then takes minutes); on PostgreSQL it only
 * repeats what autovacuum does. ANALYZE changes no data and blocks no reads or writes; a failure
 * is logged and the pass goes on.
 */
async function refreshPlannerStatistics(db: Db, log: Logger): Promise<void> {
  try {
    await db.$executeRawUnsafe("ANALYZE member, identity, subscription, access_job");
  } catch (err) {
    log.warn({ event: "reconcile.analyze_failed", err }, "could not refresh the planner's statistics");
  }
}

async function holdsNow(
  readers: readonly AccessReader[],
  holdersByTarget: ReadonlyMap<string, ReadonlySet<string>>,
  userId: string,
  target: AccessTarget,
): Promise<boolean | null> {
  const listed = holdersByTarget.get(targetKey(target));
  if (listed) return listed.has(userId);
  const reader = readers.find((r) => r.platform === target.platform);
  if (!reader?.holds) return null;
  return reader.holds(userId, target);
}
