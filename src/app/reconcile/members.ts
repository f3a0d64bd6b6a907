import { type AccessTarget, type ExtraRoles, type Platform, targetKey } from "../../core/access.ts";
import {
  type DriftItem,
  memberDrift,
  PLATFORM_HANDOVER,
  type PlatformFix,
  type PlatformSnapshot,
} from "../../core/drift.ts";
import type { Logger } from "../../log.ts";
import { wantAccess } from "../access/jobs.ts";
import type { Db } from "../db.ts";
import {
  decideMemberAccess,
  type JobForPlan,
  MEMBER_PLAN_INCLUDE,
  type MemberForPlan,
  owedKey,
  type SyncContext,
  syncMemberAccess,
} from "../membership/syncMemberAccess.ts";
import type { Clock } from "../worker.ts";
import { type AccessReader, askPlatforms } from "./platforms.ts";

const BATCH = 200;

/**
 * Phase 3, ledger → jobs and platforms → ledger, member by member in batches: the ledger's wishes
 * behind what a member is owed, and platform reality that differs from it, are repaired (unless a
 * dry run) through the same durable jobs as everything else.
 */
export async function reconcileMembers(
  deps: { db: Db; clock: Clock; readers: readonly AccessReader[] },
  opts: {
    dryRun: boolean;
    ctx: (reason: string) => SyncContext;
    log: Logger;
    graceDays: number;
    tierTargets: ReadonlyMap<string, readonly AccessTarget[]>;
    targets: ReadonlyMap<string, AccessTarget>;
    snapshot: PlatformSnapshot;
    /** The creator's roles beyond the tiers', and their target keys (no message when repaired). */
    extra: ExtraRoles;
    extraKeys: ReadonlySet<string>;
  },
): Promise<{
  membersChecked: number;
  drift: DriftItem[];
  waitingOnFan: number;
  /** Every account the ledger knows, as "platform:userId". */
  known: Set<string>;
  repaired: number;
}> {
  const drift: DriftItem[] = [];
  const known = new Set<string>();
  let waitingOnFan = 0;
  let membersChecked = 0;
  let repaired = 0;
  await refreshPlannerStatistics(deps.db, opts.log);
  for await (const { members, jobsByUser } of memberPages(deps.db)) {
    membersChecked += members.length;
    for (const member of members) {
      for (const i of member.identities) known.add(`${i.platform}:${i.platformUserId}`);
      const jobs = member.identities.flatMap(
        (i) => jobsByUser.get(`${i.platform}:${i.platformUserId}`) ?? [],
      );
      const decided = decideMemberAccess({
        member,
        jobs,
        tierTargets: opts.tierTargets,
        graceDays: opts.graceDays,
        now: deps.clock.now(),
        force: true,
        extra: opts.extra,
      });
      const input = {
        memberId: member.id,
        identities: member.identities.map((i) => ({ platform: i.platform, userId: i.platformUserId })),
        owed: decided.plan.owed,
        actions: decided.actions,
        jobs,
        targets: opts.targets,
        snapshot: opts.snapshot,
        answers: new Map<string, boolean | null>(),
        handover: PLATFORM_HANDOVER,
      };
      let found = memberDrift(input);
      // Platforms that cannot list holders (Telegram) are asked about this member's accounts.
      if (found.questions.length > 0)
        found = memberDrift({ ...input, answers: await askPlatforms(deps.readers, found.questions) });
      drift.push(...found.drift);
      waitingOnFan += found.waitingOnFan;
      if (opts.dryRun || (decided.actions.length === 0 && found.platformFixes.length === 0)) continue;
      await repairMember(deps, member.id, found.platformFixes, opts.ctx, opts.extraKeys);
      repaired++;
    }
  }
  return { membersChecked, drift, waitingOnFan, known, repaired };
}

/**
 * The ledger's members with at least one account, a page at a time, with their accounts' jobs.
 * Keyset pages on the primary key. Members without identities are skipped here rather than with
 * an EXISTS in SQL: PostgreSQL runs that as a merge join reading the identity index from its start
 * on every page, which made a pass over the ledger quadratic in its size.
 */
async function* memberPages(
  db: Db,
): AsyncGenerator<{ members: MemberForPlan[]; jobsByUser: Map<string, JobForPlan[]> }> {
  let cursor: string | undefined;
  for (;;) {
    const page = await db.member.findMany({
      where: cursor ? { id: { gt: cursor } } : {},
      include: MEMBER_PLAN_INCLUDE,
      orderBy: { id: "asc" },
      take: BATCH,
    });
    if (page.length === 0) return;
    cursor = page[page.length - 1]?.id;
    const members = page.filter((m) => m.identities.length > 0);
    if (members.length === 0) continue;
    // One `IN` list per platform (an index range scan each) instead of one OR branch per account.
    const idsByPlatform = new Map<Platform, string[]>();
    for (const m of members)
      for (const i of m.identities) {
        const list = idsByPlatform.get(i.platform) ?? [];
        list.push(i.platformUserId);
        idsByPlatform.set(i.platform, list);
      }
    const jobs = await db.accessJob.findMany({
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
    yield { members, jobsByUser };
  }
}

/** Repairs one member: the ledger's wishes first, then the platform fixes still owed on fresh rows. */
async function repairMember(
  deps: { db: Db; clock: Clock },
  memberId: string,
  platformFixes: readonly PlatformFix[],
  ctx: (reason: string) => SyncContext,
  extraKeys: ReadonlySet<string>,
): Promise<void> {
  await deps.db.$transaction(async (tx) => {
    // Decide again on fresh rows, inside the transaction: a webhook may have changed this member
    // since the batch was read, and its newer wish must not be overwritten by an older view.
    const fresh = await syncMemberAccess(tx, memberId, ctx("the ledger's jobs were behind"), {
      force: true,
    });
    for (const f of platformFixes) {
      if ((f.action === "grant") !== fresh.owed.has(owedKey(f.platform, f.userId, f.target))) continue;
      await wantAccess(tx, {
        identity: { platform: f.platform, userId: f.userId },
        target: f.target,
        memberId,
        action: f.action,
        reason: `reconciliation: ${f.why}`,
        stripeEventId: null,
        now: deps.clock.now(),
        quiet: extraKeys.has(targetKey(f.target)),
      });
      await tx.memberHistory.create({
        data: {
          memberId,
          actor: "reconcile",
          action: `access.${f.action}.requested`,
          toState: `${f.platform}:${f.userId} ${targetKey(f.target)}`,
          reason: `reconciliation: ${f.why}`,
        },
      });
    }
  });
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
