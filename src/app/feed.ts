import type { Platform as PlatformName } from "../core/access.ts";
import { DAY_MS } from "../core/membership.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import type { Logger } from "../log.ts";
import type { Db, Tx } from "./db.ts";
import { type FeedKind, isFeedKind } from "./feedKinds.ts";
import { type CreatorSettings, getSettings } from "./settings.ts";
import { scheduleTask, scheduleTaskOnce, scheduleTaskUnlessPending } from "./tasks.ts";
import type { TaskHandler } from "./taskWorker.ts";
import type { Clock, JobResult } from "./worker.ts";

/**
 * The creator's feed: one line per event that matters, written in the transaction of the change it
 * reports (so a change is reported exactly when it commits, and a redelivered Stripe event that
 * changes nothing reports nothing), then gathered by a durable flush task into one message per
 * destination (the Discord feed channel, each Telegram creator's and manager's private chat).
 *
 * - The first line of a burst schedules the flush `FEED_BURST_MS` later; lines written meanwhile
 *   join it. So a destination gets at most one message per burst window, far under Discord's and
 *   Telegram's per-chat rate limits, whatever the traffic.
 * - A message holds at most `FEED_MAX_LINES` lines, then "+K more".
 * - Each kind can be switched off (`feedOff` in the settings); a line of a kind that is off when
 *   the flush runs is dropped.
 * - Each destination's message is a task of its own (`feed.send`), keyed by the batch: a failure on
 *   one platform is retried without sending the other one's again.
 */
export { FEED_KINDS, type FeedKind, isFeedKind } from "./feedKinds.ts";

/** What each kind of line says; names are the fans' own (the platforms neutralise them). */
export type FeedParams = {
  member_new: { who: string; tier: string; trial: boolean };
  tier_change: { who: string; from: string; to: string };
  /** `ended`: the membership is over; else canceled, running until `endsOn` (ISO, or none known). */
  cancellation: { who: string; tier: string; ended: boolean; endsOn: string | null };
  payment_failed: { who: string; tier: string };
  payment_recovered: { who: string; tier: string };
  /** `problem`: why, in terms the creator can act on (the job's JobProblem), when known. */
  access_failed: {
    who: string;
    action: "grant" | "revoke";
    target: string;
    error: string;
    problem?: Record<string, unknown> | null;
  };
  weekly_summary: {
    joined: number;
    ended: number;
    failed: number;
    recovered: number;
    members: number;
  };
  /** The process that took the gateways over, when (ISO), and the one that had them. */
  failover: { holder: string; previous: string; at: string };
  /** The co-creation cycle's monthly run (src/app/cycle.ts): a poll opened, or skipped and why. */
  cycle: { outcome: "opened" | "skipped"; month: string; ideas: number; min: number };
};

export type FeedLine = { [K in FeedKind]: { kind: K; params: FeedParams[K] } }[FeedKind];

/** Lines of a burst gathered after the first one. */
export const FEED_BURST_MS = 30_000;
/** A pending flush due later than this needs no touching by a new line (see recordFeed). */
const FEED_FLUSH_MARGIN_MS = 10_000;
/** Lines in one message; the rest are counted ("+K more"). */
export const FEED_MAX_LINES = 15;

export const FEED_FLUSH_TASK = { key: "feed:flush", kind: "feed.flush" } as const;
export const FEED_SEND_TASK = "feed.send";
export const FEED_WEEKLY_TASK = { key: "feed:weekly", kind: "feed.weekly" } as const;

/** Writes a feed line in the caller's transaction and makes sure a flush will gather it. */
export async function recordFeed(tx: Tx, line: FeedLine, now: Date): Promise<void> {
  await tx.feedItem.create({
    data: { kind: line.kind, params: line.params as Prisma.InputJsonObject, createdAt: now },
  });
  // A flush already due well after this transaction commits gathers this line too: it is left
  // alone, so the transactions of a burst (a launch) do not queue on its row's lock.
  const flush = await tx.task.findUnique({
    where: { key: FEED_FLUSH_TASK.key },
    select: { state: true, runAfter: true },
  });
  if (flush?.state === "pending" && flush.runAfter.getTime() - now.getTime() > FEED_FLUSH_MARGIN_MS) return;
  await scheduleTaskUnlessPending(tx, {
    ...FEED_FLUSH_TASK,
    payload: {},
    runAfter: new Date(now.getTime() + FEED_BURST_MS),
    now,
  });
}

/** How a member is named in the feed: their accounts' usernames (or ids), as the platforms know them. */
export async function memberLabel(tx: Tx | Db, memberId: string): Promise<string> {
  const identities = await tx.identity.findMany({
    where: { memberId },
    orderBy: { linkedAt: "asc" },
    select: { platform: true, platformUserId: true, username: true },
  });
  if (identities.length === 0) return `#${memberId.slice(0, 8)}`;
  return identities
    .map(
      (i) =>
        `${(i.username ?? i.platformUserId).slice(0, 64)} (${i.platform === "discord" ? "Discord" : "Telegram"})`,
    )
    .join(", ");
}

/** A tier's name for the feed ("?" when the price belongs to no tier). */
export async function tierLabel(tx: Tx, tierId: string | null): Promise<string> {
  if (!tierId) return "?";
  return (await tx.tier.findUnique({ where: { id: tierId }, select: { name: true } }))?.name ?? "?";
}

/** Posts feed messages on one platform (see Platform.feed). */
export interface FeedPoster {
  readonly platform: PlatformName;
  /** Where the feed goes on this platform now (a channel, creators' chats); empty: nowhere. */
  destinations(settings: CreatorSettings): string[];
  /**
   * Sends one message of these lines to one destination, "+`more`" counted after them. `ref` names
   * the batch (the same on a retry), for platforms that can drop a message sent twice.
   */
  post(destination: string, lines: readonly FeedLine[], more: number, ref: string): Promise<JobResult>;
}

interface SendPayload {
  /** The batch: its first line's id. */
  ref: string;
  platform: PlatformName;
  destination: string;
  lines: FeedLine[];
  more: number;
}

/** The next weekly summary: Monday 09:00 UTC after `now`. */
export function nextWeeklySummary(now: Date): Date {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), 9));
  const daysToMonday = (8 - d.getUTCDay()) % 7;
  d.setUTCDate(d.getUTCDate() + daysToMonday);
  if (d.getTime() <= now.getTime()) d.setUTCDate(d.getUTCDate() + 7);
  return d;
}

/** Makes sure the weekly summary's timer exists (once per ledger, kept across restarts). */
export async function scheduleWeeklySummary(db: Db, now: Date): Promise<void> {
  await db.$transaction((tx) =>
    scheduleTaskOnce(tx, { ...FEED_WEEKLY_TASK, payload: {}, runAfter: nextWeeklySummary(now), now }),
  );
}

/** The counts of the week before `now`, from the feed's own lines (whether or not they were posted). */
export async function weeklyCounts(db: Db | Tx, now: Date): Promise<FeedParams["weekly_summary"]> {
  const since = new Date(now.getTime() - 7 * DAY_MS);
  const rows = await db.feedItem.findMany({
    where: {
      createdAt: { gt: since, lte: now },
      kind: { in: ["member_new", "cancellation", "payment_failed", "payment_recovered"] },
    },
    select: { kind: true, params: true },
  });
  const count = (pred: (r: (typeof rows)[number]) => boolean) => rows.filter(pred).length;
  const members = await db.member.count({
    where: {
      deletedAt: null,
      suspendedAt: null,
      subscriptions: { some: { status: { in: ["active", "trialing", "past_due", "lifetime"] } } },
    },
  });
  return {
    joined: count((r) => r.kind === "member_new"),
    ended: count((r) => r.kind === "cancellation" && (r.params as { ended?: boolean }).ended === true),
    failed: count((r) => r.kind === "payment_failed"),
    recovered: count((r) => r.kind === "payment_recovered"),
    members,
  };
}

/** The feed's durable tasks: gathering a burst, sending it to one destination, the weekly summary. */
export function feedTaskHandlers(deps: {
  db: Db;
  clock: Clock;
  posters: readonly FeedPoster[];
  log: Logger;
  onWork?: () => void;
}): Record<string, TaskHandler> {
  const log = deps.log.child({ module: "feed" });
  return {
    [FEED_FLUSH_TASK.kind]: async () => {
      const now = deps.clock.now();
      const r = await deps.db.$transaction(async (tx) => {
        const items = await tx.feedItem.findMany({
          where: { batchedAt: null },
          orderBy: { id: "asc" },
          take: 500,
        });
        if (items.length === 0) return { lines: 0, off: 0, messages: 0, full: false };
        await tx.feedItem.updateMany({
          where: { id: { in: items.map((i) => i.id) } },
          data: { batchedAt: now },
        });
        const settings = await getSettings(tx);
        const off = new Set<string>(settings.feedOff);
        const on = items.filter((i) => isFeedKind(i.kind) && !off.has(i.kind));
        const first = on[0];
        if (!first) return { lines: 0, off: items.length, messages: 0, full: items.length === 500 };
        const lines = on
          .slice(0, FEED_MAX_LINES)
          .map((i) => ({ kind: i.kind, params: i.params }) as FeedLine);
        const more = on.length - lines.length;
        let messages = 0;
        for (const poster of deps.posters) {
          for (const destination of new Set(poster.destinations(settings))) {
            const payload: SendPayload = {
              ref: String(first.id),
              platform: poster.platform,
              destination,
              lines,
              more,
            };
            await scheduleTaskOnce(tx, {
              key: `feed:send:${poster.platform}:${destination}:${first.id}`,
              kind: FEED_SEND_TASK,
              payload: payload as unknown as Prisma.InputJsonObject,
              runAfter: now,
              now,
            });
            messages++;
          }
        }
        // More waiting than one gathering takes: the next one runs at once.
        if (items.length === 500)
          await scheduleTaskUnlessPending(tx, { ...FEED_FLUSH_TASK, payload: {}, runAfter: now, now });
        return { lines: on.length, off: items.length - on.length, messages, full: items.length === 500 };
      });
      if (r.messages > 0 || r.full) deps.onWork?.();
      log.info(
        { event: "feed.flushed", lines: r.lines, switchedOff: r.off, messages: r.messages },
        `feed: ${r.lines} line(s) to ${r.messages} destination(s)`,
      );
      return { outcome: "done", note: `${r.lines} line(s), ${r.off} switched off, ${r.messages} message(s)` };
    },

    [FEED_SEND_TASK]: async (payload) => {
      const p = payload as Partial<SendPayload>;
      if (!p.platform || !p.destination || !Array.isArray(p.lines))
        return { outcome: "dead", error: "feed message without platform, destination or lines" };
      const poster = deps.posters.find((x) => x.platform === p.platform);
      if (!poster) return { outcome: "done", note: `no ${p.platform} platform attached: not sent` };
      const result = await poster.post(p.destination, p.lines, p.more ?? 0, p.ref ?? "0");
      if (result.outcome === "done")
        log.info(
          { event: "feed.sent", platform: p.platform, destination: p.destination, lines: p.lines.length },
          "feed message sent",
        );
      return result;
    },

    [FEED_WEEKLY_TASK.kind]: async () => {
      const now = deps.clock.now();
      await deps.db.$transaction(async (tx) => {
        const counts = await weeklyCounts(tx, now);
        await recordFeed(tx, { kind: "weekly_summary", params: counts }, now);
        // The task itself, running now, moved to next week (it goes back to pending once done).
        await scheduleTask(tx, { ...FEED_WEEKLY_TASK, payload: {}, runAfter: nextWeeklySummary(now), now });
      });
      deps.onWork?.();
      return { outcome: "done", note: "weekly summary written" };
    },
  };
}
