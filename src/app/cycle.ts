import { cycleMonth, nextCycleOpening, pickCycleIdeas } from "../core/cycle.ts";
import { DAY_MS } from "../core/membership.ts";
import { DomainError } from "../errors.ts";
import { type Locale, t } from "../i18n/index.ts";
import type { Db } from "./db.ts";
import { recordFeed } from "./feed.ts";
import { pollFromIdeas } from "./ideas.ts";
import { type PollDeps, publishPoll } from "./polls.ts";
import {
  CYCLE_LIMITS,
  type CycleSettings,
  CycleSettingsSchema,
  getSettings,
  setSetting,
} from "./settings.ts";
import { cancelTask, scheduleTask } from "./tasks.ts";
import type { TaskHandler } from "./taskWorker.ts";

/**
 * The co-creation cycle (issue #16): a rhythm the creator sets once. Ideas are proposed and upvoted
 * all month; on the set day and hour (UTC) the top shortlisted ideas with enough upvotes go to a
 * poll, published on both platforms like a poll the creator opens by hand, and the creator's feed
 * says so (or why this month was skipped). One durable task, `cycle:open`, waits for the next
 * opening: moved whenever the settings change, and to the next month after each run, so it
 * survives restarts. A month has one cycle poll at most: the poll carries its month (`createdBy`
 * "cycle:YYYY-MM"), so a run repeated after a crash finds it instead of opening another.
 */
export const CYCLE_TASK = { key: "cycle:open", kind: "cycle.open" } as const;

/** The actor of a cycle's poll and of its ideas' moves: "cycle:YYYY-MM". */
export const cycleActor = (month: string) => `cycle:${month}`;

/** Fewer ideas than this make no poll. */
const MIN_IDEAS = 2;
/** Shortlisted ideas read at a run (most upvoted first): far more than the 10 a poll takes. */
const CANDIDATES_READ = 500;

export type { CycleSettings };
export type CycleDeps = PollDeps;

export interface CycleView {
  cycle: CycleSettings;
  /** The next opening (null: the cycle is off). */
  next: Date | null;
}

/** The cycle's settings and its next opening. */
export async function cycleStatus(deps: Pick<CycleDeps, "db">): Promise<CycleView> {
  const { cycle } = await getSettings(deps.db);
  if (!cycle.on) return { cycle, next: null };
  const task = await deps.db.task.findUnique({ where: { key: CYCLE_TASK.key }, select: { runAfter: true } });
  return { cycle, next: task?.runAfter ?? null };
}

/**
 * Changes the cycle (the fields given; `on: true` switches it on), and moves its timer in the same
 * transaction: to the next opening, or away when it is switched off.
 */
export async function setCycle(deps: CycleDeps, change: Partial<CycleSettings>): Promise<CycleView> {
  const now = deps.clock.now();
  const view = await deps.db.$transaction(async (tx) => {
    const current = (await getSettings(tx)).cycle;
    const next = {
      ...current,
      ...Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined)),
    };
    const checked = CycleSettingsSchema.safeParse(next);
    if (!checked.success) {
      const field = (checked.error.issues[0]?.path[0] ?? "day") as keyof typeof CYCLE_LIMITS;
      const limits = CYCLE_LIMITS[field] ?? CYCLE_LIMITS.day;
      throw new DomainError("cycle_out_of_range", {
        setting: String(field),
        min: limits.min,
        max: limits.max,
      });
    }
    const cycle = checked.data;
    await setSetting(tx, "cycle", cycle);
    if (!cycle.on) {
      await cancelTask(tx, CYCLE_TASK.key);
      return { cycle, next: null };
    }
    const at = nextCycleOpening(now, cycle);
    await scheduleTask(tx, { ...CYCLE_TASK, payload: { month: cycleMonth(at) }, runAfter: at, now });
    return { cycle, next: at };
  });
  deps.log.info(
    { event: "cycle.scheduled", on: view.cycle.on, next: view.next, cycle: view.cycle },
    view.next ? `cycle: next poll at ${view.next.toISOString()}` : "cycle: off",
  );
  deps.onWork?.();
  return view;
}

/** The question of a cycle's poll, in the language the creator set the cycle in. */
export function cycleQuestion(locale: Locale, at: Date): string {
  return t(locale, "cycle.question", {
    month: new Intl.DateTimeFormat(locale, { month: "long", year: "numeric", timeZone: "UTC" }).format(at),
  });
}

export type CycleRun =
  | { outcome: "off" }
  | { outcome: "already"; month: string; pollId: string }
  | { outcome: "skipped"; month: string; qualified: number }
  | { outcome: "opened"; month: string; pollId: string; ideaIds: string[] };

/** One opening: the poll of `month` with the top ideas, or the reason why none. */
export async function runCycle(deps: CycleDeps, month: string): Promise<CycleRun> {
  const now = deps.clock.now();
  const log = deps.log.child({ module: "cycle" });
  const { cycle } = await getSettings(deps.db);
  if (!cycle.on) return { outcome: "off" };
  const actor = cycleActor(month);
  const existing = await deps.db.poll.findFirst({
    where: { createdBy: actor },
    select: { id: true, closedAt: true },
  });
  if (existing) {
    // A run repeated after a crash: the poll is there; it is posted if the crash came before that.
    const posted = await deps.db.pollPost.count({ where: { pollId: existing.id } });
    if (posted === 0 && existing.closedAt === null) await publishPoll(deps, existing.id);
    log.info(
      {
        event: "cycle.skipped",
        month,
        reason: "already_opened",
        pollId: existing.id,
        republished: posted === 0,
      },
      `cycle: the poll of ${month} is already open`,
    );
    return { outcome: "already", month, pollId: existing.id };
  }
  const shortlisted = await deps.db.idea.findMany({
    where: { status: "shortlisted" },
    orderBy: [{ voteCount: "desc" }, { createdAt: "asc" }],
    take: CANDIDATES_READ,
    select: { id: true, voteCount: true, createdAt: true },
  });
  const picked = pickCycleIdeas(
    shortlisted.map((i) => ({ id: i.id, upvotes: i.voteCount, createdAt: i.createdAt })),
    cycle,
  );
  if (picked.length < MIN_IDEAS) {
    await deps.db.$transaction((tx) =>
      recordFeed(
        tx,
        { kind: "cycle", params: { outcome: "skipped", month, ideas: picked.length, min: cycle.min } },
        now,
      ),
    );
    log.info(
      {
        event: "cycle.skipped",
        month,
        reason: "too_few_ideas",
        qualified: picked.length,
        shortlisted: shortlisted.length,
        min: cycle.min,
      },
      `cycle: ${month} skipped, ${picked.length} idea(s) with ${cycle.min}+ upvotes`,
    );
    deps.onWork?.();
    return { outcome: "skipped", month, qualified: picked.length };
  }
  const ideaIds = picked.map((i) => i.id);
  const poll = await pollFromIdeas(deps, ideaIds, {
    question: cycleQuestion(cycle.locale, now),
    closesAt: new Date(now.getTime() + cycle.days * DAY_MS),
    mode: cycle.mode,
    eligibility: { kind: "all" },
    createdBy: actor,
  });
  await deps.db.$transaction((tx) =>
    recordFeed(
      tx,
      { kind: "cycle", params: { outcome: "opened", month, ideas: ideaIds.length, min: cycle.min } },
      now,
    ),
  );
  await publishPoll(deps, poll.id);
  log.info(
    { event: "cycle.opened", month, pollId: poll.id, ideas: ideaIds, closesAt: poll.closesAt },
    `cycle: poll of ${month} opened with ${ideaIds.length} ideas`,
  );
  deps.onWork?.();
  return { outcome: "opened", month, pollId: poll.id, ideaIds };
}

/** The cycle's timer: one opening, then the next month's. */
export function cycleTaskHandlers(deps: CycleDeps): Record<string, TaskHandler> {
  return {
    [CYCLE_TASK.kind]: async (payload) => {
      const month = (payload as { month?: string }).month ?? cycleMonth(deps.clock.now());
      const run = await runCycle(deps, month);
      await rescheduleCycle(deps, deps.clock.now());
      return { outcome: "done", note: run.outcome === "off" ? "cycle off" : `${month}: ${run.outcome}` };
    },
  };
}

/** Moves the timer (running now) to the next opening, unless the cycle was switched off meanwhile. */
async function rescheduleCycle(deps: { db: Db; log: CycleDeps["log"] }, now: Date): Promise<void> {
  const next = await deps.db.$transaction(async (tx) => {
    const { cycle } = await getSettings(tx);
    if (!cycle.on) return null;
    const at = nextCycleOpening(now, cycle);
    await scheduleTask(tx, { ...CYCLE_TASK, payload: { month: cycleMonth(at) }, runAfter: at, now });
    return at;
  });
  if (next)
    deps.log.info({ event: "cycle.scheduled", on: true, next }, `cycle: next poll at ${next.toISOString()}`);
}
