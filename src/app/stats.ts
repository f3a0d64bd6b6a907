import { DAY_MS } from "../core/membership.ts";
import {
  assembleStats,
  type CreatorStats,
  type LivePriceGroup,
  STATS_WINDOW_DAYS,
  TREND_WEEKS,
  trendWeekStarts,
} from "../core/stats.ts";
import { Prisma } from "../generated/prisma/client.ts";
import type { Db } from "./db.ts";
import { getSettings } from "./settings.ts";

export interface StatsView extends CreatorStats {
  tierNames: Record<string, string>;
}

/**
 * Every subscription of a member counted in the stats (a known tier; the member neither deleted nor
 * revoked by hand; not an incomplete first payment), with its membership span [start_at, end_at):
 * end_at is NULL exactly when the subscription owes access now. The CASE is src/core/membership.ts's
 * `entitlementOf` written in SQL, so that 100,000 members are counted by the database instead of
 * loaded: test/integration/db/stats.test.ts checks the two agree on every kind of subscription.
 */
function spans(now: Date, graceDays: number): Prisma.Sql {
  const graceSeconds = (graceDays * DAY_MS) / 1000;
  const graceEnd = Prisma.sql`(COALESCE(s.past_due_since, ${now}::timestamptz) + make_interval(secs => ${graceSeconds}::double precision))`;
  return Prisma.sql`
    held AS (
      SELECT subscription_id, MIN(created_at) AS held_at FROM payment_hold
      WHERE lifted_at IS NULL AND reason IN ('refunded', 'disputed')
      GROUP BY subscription_id
    ),
    spans AS (
      SELECT s.member_id, s.tier_id, s.status, s.kind::text AS kind, s.currency, s.interval, s.amount,
        s.started_at AS start_at,
        CASE
          WHEN s.ended_at IS NOT NULL THEN LEAST(s.ended_at, h.held_at)
          WHEN h.held_at IS NOT NULL THEN h.held_at
          WHEN s.status IN ('trialing', 'active') AND s.cancel_at_period_end
            AND s.current_period_end <= ${now}::timestamptz THEN s.current_period_end
          WHEN s.status = 'past_due' AND ${graceEnd} <= ${now}::timestamptz THEN ${graceEnd}
          WHEN s.paused_since IS NOT NULL AND NOT s.pause_keeps_access
            AND s.status IN ('trialing', 'active', 'past_due') THEN LEAST(s.paused_since, ${now}::timestamptz)
          WHEN s.status IN ('lifetime', 'trialing', 'active', 'past_due') THEN NULL
          ELSE LEAST(COALESCE(s.current_period_end, s.started_at), ${now}::timestamptz)
        END AS end_at
      FROM subscription s
      JOIN member m ON m.id = s.member_id
      LEFT JOIN held h ON h.subscription_id = s.id
      WHERE s.tier_id IS NOT NULL AND m.deleted_at IS NULL AND m.suspended_at IS NULL
        AND s.status NOT IN ('incomplete', 'incomplete_expired')
    )`;
}

/** Whether a span holds the moment `at`. */
const activeAt = (at: Date) =>
  Prisma.sql`(start_at <= ${at}::timestamptz AND (end_at IS NULL OR end_at > ${at}::timestamptz))`;

/**
 * The creator's dashboard numbers (definitions: src/core/stats.ts): members per tier, trials, past
 * due, revenue per tier and currency, churn rate, net new per week, trial conversion, the goal. Each
 * figure is an SQL aggregate over the ledger; only the aggregates' few rows come back.
 */
export async function getCreatorStats(db: Db, now: Date): Promise<StatsView> {
  const settings = await getSettings(db);
  const windowStart = new Date(now.getTime() - STATS_WINDOW_DAYS * DAY_MS);
  const trendStart = trendWeekStarts(now, TREND_WEEKS)[0] ?? now;
  const base = spans(now, settings.graceDays);

  // One statement, so the spans are computed once (a CTE used several times is materialised) and
  // every figure reads the same state; each aggregate comes back as JSON, a few rows each.
  const [agg] = await db.$queryRaw<
    {
      live: {
        tier_id: string;
        status: string;
        kind: string;
        currency: string;
        interval: string | null;
        amount: number;
        subs: number;
      }[];
      members: { tier_id: string | null; members: number }[];
      churn: { at_start: number; lost: number; gained: number } | null;
      weeks: { week: number; joined: number; lost: number }[];
    }[]
  >`WITH ${base},
    live AS (
      SELECT tier_id, status, kind, currency, interval, amount, COUNT(*)::int AS subs
      FROM spans WHERE end_at IS NULL
      GROUP BY tier_id, status, kind, currency, interval, amount
    ),
    members AS (
      SELECT tier_id, COUNT(DISTINCT member_id)::int AS members
      FROM spans WHERE end_at IS NULL
      GROUP BY ROLLUP (tier_id)
    ),
    per_member AS (
      SELECT member_id, BOOL_OR(${activeAt(windowStart)}) AS was, BOOL_OR(${activeAt(now)}) AS is_now
      FROM spans GROUP BY member_id
    ),
    churn AS (
      SELECT COUNT(*) FILTER (WHERE was)::int AS at_start,
        COUNT(*) FILTER (WHERE was AND NOT is_now)::int AS lost,
        COUNT(*) FILTER (WHERE is_now AND NOT was)::int AS gained
      FROM per_member
    ),
    -- Stays: a member's spans merged where they touch or overlap (a tier switch is no departure).
    ordered AS (
      SELECT member_id, start_at, end_at,
        MAX(COALESCE(end_at, 'infinity'::timestamptz)) OVER (
          PARTITION BY member_id ORDER BY start_at, end_at NULLS LAST
          ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
        ) AS prev_end
      FROM spans WHERE end_at IS NULL OR end_at > start_at
    ),
    marked AS (
      SELECT member_id, start_at, end_at,
        SUM(CASE WHEN prev_end IS NULL OR start_at > prev_end THEN 1 ELSE 0 END) OVER (
          PARTITION BY member_id ORDER BY start_at, end_at NULLS LAST ROWS UNBOUNDED PRECEDING
        ) AS stay
      FROM ordered
    ),
    stays AS (
      SELECT MIN(start_at) AS joined_at, MAX(COALESCE(end_at, 'infinity'::timestamptz)) AS left_at
      FROM marked GROUP BY member_id, stay
    ),
    moves AS (
      SELECT joined_at AS at, 1 AS joined, 0 AS lost FROM stays
      WHERE joined_at >= ${trendStart}::timestamptz AND joined_at <= ${now}::timestamptz
      UNION ALL
      SELECT left_at, 0, 1 FROM stays
      WHERE left_at >= ${trendStart}::timestamptz AND left_at <= ${now}::timestamptz
    ),
    weeks AS (
      SELECT EXTRACT(EPOCH FROM date_trunc('week', at AT TIME ZONE 'UTC'))::float8 AS week,
        SUM(joined)::int AS joined, SUM(lost)::int AS lost
      FROM moves GROUP BY 1
    )
    SELECT
      (SELECT COALESCE(json_agg(l), '[]'::json) FROM live l) AS live,
      (SELECT COALESCE(json_agg(m), '[]'::json) FROM members m) AS members,
      (SELECT row_to_json(c) FROM churn c) AS churn,
      (SELECT COALESCE(json_agg(w), '[]'::json) FROM weeks w) AS weeks`;
  const live = agg?.live ?? [];
  const members = agg?.members ?? [];
  const churn = agg?.churn;
  const weeks = agg?.weeks ?? [];

  const oneOff = await db.$queryRaw<
    { tier_id: string; currency: string; amount: number; purchases: number }[]
  >`
    SELECT s.tier_id, s.currency, SUM(s.amount)::float8 AS amount, COUNT(*)::int AS purchases
    FROM subscription s
    WHERE s.kind = 'lifetime' AND s.tier_id IS NOT NULL
      AND s.started_at > ${windowStart}::timestamptz AND s.started_at <= ${now}::timestamptz
      AND NOT EXISTS (
        SELECT 1 FROM payment_hold h
        WHERE h.subscription_id = s.id AND h.lifted_at IS NULL AND h.reason IN ('refunded', 'disputed')
      )
    GROUP BY s.tier_id, s.currency`;

  // A trial ends when its subscription first leaves "trialing" (the ledger's history of statuses,
  // whose states read "<status>" or "<status> (<tier>)"); it converted when the subscription was
  // "active" at that moment or at any later one up to now. One pass over the status history,
  // grouped per subscription.
  const [trials] = await db.$queryRaw<{ ended: number; converted: number }[]>`
    WITH per_sub AS (
      SELECT subscription_id,
        MIN(created_at) FILTER (
          WHERE split_part(from_state, ' ', 1) = 'trialing' AND split_part(to_state, ' ', 1) <> 'trialing'
        ) AS trial_end,
        MAX(created_at) FILTER (WHERE split_part(to_state, ' ', 1) = 'active') AS last_active
      FROM member_history
      WHERE action = 'subscription.status' AND subscription_id IS NOT NULL
        AND created_at <= ${now}::timestamptz
      GROUP BY subscription_id
    )
    SELECT COUNT(*)::int AS ended, COUNT(*) FILTER (WHERE last_active >= trial_end)::int AS converted
    FROM per_sub WHERE trial_end > ${windowStart}::timestamptz`;

  const tiers = await db.tier.findMany({ select: { id: true, name: true } });
  const stats = assembleStats(
    {
      live: live.map(
        (r): LivePriceGroup => ({
          tierId: r.tier_id,
          status: r.status,
          kind: r.kind === "lifetime" ? "lifetime" : "recurring",
          currency: r.currency,
          interval: r.interval,
          amount: r.amount,
          subscriptions: r.subs,
        }),
      ),
      activeMembers: members.find((m) => m.tier_id === null)?.members ?? 0,
      membersPerTier: members.flatMap((m) =>
        m.tier_id === null ? [] : [{ tierId: m.tier_id, members: m.members }],
      ),
      churn: {
        activeAtStart: churn?.at_start ?? 0,
        lost: churn?.lost ?? 0,
        gained: churn?.gained ?? 0,
      },
      weeks: weeks.map((w) => ({ weekStart: new Date(w.week * 1000), joined: w.joined, lost: w.lost })),
      oneOff: oneOff.map((o) => ({
        tierId: o.tier_id,
        currency: o.currency,
        amount: o.amount,
        purchases: o.purchases,
      })),
      trials: { ended: trials?.ended ?? 0, converted: trials?.converted ?? 0 },
      goal: settings.trueFansGoal,
    },
    now,
  );
  return { ...stats, tierNames: Object.fromEntries(tiers.map((t) => [t.id, t.name])) };
}

/** Members owed access now and the goal (the tribe's page shows its progress): one count. */
export async function getGoalProgress(
  db: Db,
  now: Date,
): Promise<{ members: number; goal: number; progress: number }> {
  const settings = await getSettings(db);
  const [row] = await db.$queryRaw<{ members: number }[]>`WITH ${spans(now, settings.graceDays)}
    SELECT COUNT(DISTINCT member_id)::int AS members FROM spans WHERE end_at IS NULL`;
  const members = row?.members ?? 0;
  const goal = settings.trueFansGoal;
  return { members, goal, progress: goal > 0 ? members / goal : 0 };
}
