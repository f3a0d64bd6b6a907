import { type Platform, targetKey } from "../core/access.ts";
import { type DriftItem, unmanagedHolders } from "../core/drift.ts";
import { releaseMemorySoon } from "../lib/memory.ts";
import type { Logger } from "../log.ts";
import type { Billing } from "./billing/billing.ts";
import type { Db } from "./db.ts";
import { loadTierTargets } from "./membership/syncMemberAccess.ts";
import type { Platform as PlatformPorts } from "./platform.ts";
import { reconcileMembers } from "./reconcile/members.ts";
import { type AccessReader, allTierTargets, readPlatforms } from "./reconcile/platforms.ts";
import { reconcileStripe } from "./reconcile/stripe.ts";
import { extraRolesOf, getSettings } from "./settings.ts";
import type { Clock } from "./worker.ts";

export interface ReconcileDeps {
  db: Db;
  billing: Billing;
  clock: Clock;
  log: Logger;
  readers: readonly AccessReader[];
  onWork?: () => void;
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

/** A reconciliation of at least this many members gives its memory back when done (src/lib/memory.ts). */
const RELEASE_AFTER_MEMBERS = 1_000;

/** Reconciliation with every platform's reader (a creator's command, the periodic task). */
export function reconcileAll(
  deps: Omit<ReconcileDeps, "readers"> & { platforms: readonly Pick<PlatformPorts, "reader">[] },
  opts: { dryRun: boolean },
): Promise<ReconcileReport> {
  return reconcile({ ...deps, readers: deps.platforms.map((p) => p.reader) }, opts);
}

/**
 * Compares Stripe, the ledger and each platform, and repairs the drift through the same durable
 * jobs as everything else: a webhook missed (Stripe ≠ ledger), a timer missed or a dead grant
 * (ledger ≠ its jobs), a role removed or added by hand or a fan who left and came back
 * (platform ≠ ledger). With `dryRun`, reports what it would change and changes nothing.
 * The phases are in src/app/reconcile/, what counts as drift in src/core/drift.ts.
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

  // 1. Stripe → ledger.
  const stripe = await reconcileStripe(deps, { dryRun: opts.dryRun, ctx, log });

  // 2. What the platforms show, then 3. ledger → jobs and platforms → ledger, member by member.
  const settings = await getSettings(deps.db);
  const tierTargets = await loadTierTargets(deps.db);
  const extra = extraRolesOf(settings);
  const targets = allTierTargets(tierTargets);
  // The roles beyond the tiers' are read and repaired like the tiers' own.
  const extraKeys = new Set<string>();
  for (const t of [extra.trial, extra.alumni, ...extra.tenure.map((x) => x.target)]) {
    if (!t || targets.has(targetKey(t))) continue;
    targets.set(targetKey(t), t);
    extraKeys.add(targetKey(t));
  }
  const { snapshot, unreadableTargets } = await readPlatforms(deps.readers, targets);
  const members = await reconcileMembers(deps, {
    dryRun: opts.dryRun,
    ctx,
    log,
    graceDays: settings.graceDays,
    tierTargets,
    targets,
    snapshot,
    extra,
    extraKeys,
  });

  const drift: DriftItem[] = [...stripe.drift, ...members.drift];
  const unmanaged = unmanagedHolders(snapshot.holders, members.known);
  if (stripe.repaired + members.repaired > 0) deps.onWork?.();
  const report: ReconcileReport = {
    dryRun: opts.dryRun,
    subscriptionsChecked: stripe.subscriptionsChecked,
    membersChecked: members.membersChecked,
    drift,
    waitingOnFan: members.waitingOnFan,
    unmanagedHolders: unmanaged,
    unreadableTargets,
    ms: Date.now() - started,
  };
  log.info(
    {
      event: "reconcile.done",
      subscriptionsChecked: report.subscriptionsChecked,
      membersChecked: report.membersChecked,
      drift: drift.length,
      unmanagedHolders: unmanaged.length,
      unreadableTargets: unreadableTargets.length,
      waitingOnFan: report.waitingOnFan,
      ms: report.ms,
    },
    `reconciliation ${opts.dryRun ? "(dry run) " : ""}found ${drift.length} difference(s)`,
  );
  for (const d of drift.slice(0, 200))
    log.info({ event: "reconcile.drift", kind: d.kind, memberId: d.memberId, dryRun: opts.dryRun }, d.what);
  // A pass over a large tribe leaves its garbage resident while the bot idles: give it back.
  if (report.membersChecked >= RELEASE_AFTER_MEMBERS) releaseMemorySoon(log, "reconciliation");
  return report;
}
