import { randomUUID } from "node:crypto";
import type { Identity, Platform as PlatformName } from "../core/access.ts";
import { closingMoves } from "../core/ideaLifecycle.ts";
import {
  type InputResult,
  idPrefixKey,
  parseBudget,
  parseTierWeights,
  pickByPrefix,
} from "../core/pollInput.ts";
import {
  type BallotEdit,
  type BallotError,
  ballotAllocation,
  ballotsToCsv,
  type Poll as CorePoll,
  canVote,
  countedBallots,
  editBallot,
  type PollBudget,
  type PollBudgetInput,
  type PollInput,
  type Tally,
  tallyPoll,
  validatePoll,
} from "../core/polls.ts";
import { DomainError } from "../errors.ts";
import type { Poll as PollRow } from "../generated/prisma/client.ts";
import type { Logger } from "../log.ts";
import type { Db, Tx } from "./db.ts";
import { recordDiscussion, scheduleDiscussion } from "./discussions.ts";
import { moveIdea } from "./ideaMoves.ts";
import { isEntitledNow } from "./membership/entitlement.ts";
import type { Platform, PollPlacement, PollPostReport, PostProblem } from "./platform.ts";
import { scheduleRoadmapRefresh } from "./roadmapMessage.ts";
import { getSettings, parseSettings } from "./settings.ts";
import {
  cancelTask,
  type HeldTask,
  holdTask,
  scheduleTask,
  scheduleTaskOnce,
  settleHeldTask,
} from "./tasks.ts";
import type { TaskHandler } from "./taskWorker.ts";
import { findTier } from "./tiers.ts";
import type { Clock, JobResult } from "./worker.ts";

/**
 * Co-decision: the tribe votes on what the creator makes next. One member, one vote, whichever
 * platform they vote from (a ballot belongs to the member behind the account); eligibility is frozen
 * when the poll opens; the latest ballot counts; polls close at their time even across a restart (a
 * durable task). The rules and tallies are pure: src/core/polls.ts.
 */
export interface PollDeps {
  db: Db;
  clock: Clock;
  log: Logger;
  onWork?: () => void;
  /** Where polls are shown: each platform's poll surface hears of new ballots and closings. */
  platforms?: readonly Pick<Platform, "name" | "polls">[];
}

/**
 * A closed poll's results shown on one platform (the final edit of its messages, then the results
 * chart): a durable task written in the closing's transaction, so a crash right after the closing
 * still shows them, once, after the restart.
 */
export const POLL_RESULTS_TASK = "poll.results";
/** How long the closing process has to show the results itself before the task worker takes over. */
export const POLL_RESULTS_LEASE_MS = 60_000;

/** The core's view of a stored poll. */
export function corePoll(row: PollRow): CorePoll {
  return {
    question: row.question,
    options: row.options,
    opensAt: row.opensAt,
    closesAt: row.closedAt ?? row.closesAt,
    mode: row.mode as CorePoll["mode"],
    eligibility: row.tierIds.length ? { kind: "tiers", tierIds: row.tierIds } : { kind: "all" },
    weights: (row.weights ?? {}) as Record<string, number>,
    hideResultsUntilClose: row.hideResults,
    allowLateJoiners: row.allowLateJoiners,
    budget: (row.budget ?? null) as PollBudget | null,
  };
}

/** Tier ids a member is entitled to now (the membership rules). */
export async function entitledTierIds(
  db: Db | Tx,
  memberId: string,
  now: Date,
  graceDays?: number,
): Promise<string[]> {
  const grace = graceDays ?? (await getSettings(db)).graceDays;
  const subs = await db.subscription.findMany({
    where: { memberId, tierId: { not: null }, member: { deletedAt: null, suspendedAt: null } },
    include: { holds: true },
  });
  return [...new Set(subs.filter((s) => isEntitledNow(s, grace, now)).map((s) => s.tierId as string))];
}

/** A resolver's value (src/core/pollInput.ts), or its refusal as a DomainError with the shared code. */
export function inputValue<T>(result: InputResult<T>): T {
  if (result.ok) return result.value;
  switch (result.code) {
    case "input_duration_invalid":
      throw new DomainError(result.code, result.params);
    case "input_weights_invalid":
      throw new DomainError(result.code, result.params);
    case "poll_weight_invalid":
      throw new DomainError(result.code, result.params);
    case "input_options_missing":
      throw new DomainError(result.code);
    case "input_budget_invalid":
      throw new DomainError(result.code, result.params);
    case "poll_budget_points_invalid":
      throw new DomainError(result.code, result.params);
  }
}

/**
 * A budget poll's points as typed ("5", "gold=10, silver=5", "gold=10, 3"), each tier found by its
 * slug or id, with the cap per option (null: none). null when no points were typed (then a budget
 * poll is refused as poll_budget_missing, and another mode opens without a budget).
 */
export async function resolveBudget(
  db: Db,
  raw: string | null | undefined,
  maxPerOption: number | null | undefined,
): Promise<PollBudgetInput | null> {
  const parsed = inputValue(parseBudget(raw));
  if (!parsed) return maxPerOption == null ? null : { points: {}, maxPerOption };
  const points: Record<string, number> = {};
  for (const { tier, points: n } of parsed.points) points[(await findTier(db, tier)).id] = n;
  return {
    points,
    ...(parsed.defaultPoints === undefined ? {} : { defaultPoints: parsed.defaultPoints }),
    maxPerOption: maxPerOption ?? null,
  };
}

/** "gold=3, silver=1" → { tierId: weight }, each tier found by its slug or id (unknown_tier if none). */
export async function resolveTierWeights(
  db: Db,
  raw: string | null | undefined,
): Promise<Record<string, number>> {
  const weights: Record<string, number> = {};
  for (const { tier, weight } of inputValue(parseTierWeights(raw))) {
    weights[(await findTier(db, tier)).id] = weight;
  }
  return weights;
}

/**
 * A poll named by its id or the first characters of it (ids are shown shortened to 8): the one rule
 * of src/core/pollInput.ts, so every platform answers alike: poll_not_found, or poll_ambiguous
 * (type more characters).
 */
export async function findPollByRef(db: Db, ref: string): Promise<PollRow> {
  const key = idPrefixKey(ref);
  const found = key ? await db.poll.findMany({ where: { id: { startsWith: key } }, take: 2 }) : [];
  const picked = pickByPrefix(found.map((p) => p.id));
  if (!picked.ok) throw new DomainError(`poll_${picked.code}`, { prefix: ref.trim() });
  return found.find((p) => p.id === picked.id)!;
}

/** A poll by its full id (button data, tasks); poll_not_found when there is none. */
export async function getPoll(db: Db, pollId: string): Promise<PollRow> {
  const poll = await db.poll.findUnique({ where: { id: pollId } });
  if (!poll) throw new DomainError("poll_not_found");
  return poll;
}

/**
 * Where a poll goes on a platform of chats (Telegram): every chat bound to a tier that may vote, or
 * every bound chat when all members vote.
 */
export async function pollChats(
  db: Db,
  poll: Pick<PollRow, "tierIds">,
  platform: PlatformName,
): Promise<string[]> {
  const targets = await db.tierAccess.findMany({
    where: {
      platform,
      chatId: { not: null },
      ...(poll.tierIds.length ? { tierId: { in: poll.tierIds } } : {}),
    },
    select: { chatId: true },
  });
  return [...new Set(targets.map((t) => t.chatId as string))];
}

/** Opens a poll: validates it, freezes who may vote (members entitled now, with their tiers), schedules its closing. */
export async function openPoll(
  deps: PollDeps,
  input: PollInput & { createdBy: string; ideaIds?: string[] },
): Promise<PollRow> {
  const now = deps.clock.now();
  const checked = validatePoll(input, now);
  if (!checked.ok) {
    const { error } = checked;
    if (error === "poll_option_invalid" || error === "poll_duplicate_option")
      throw new DomainError(error, { position: (checked.option ?? 0) + 1 });
    if (error === "poll_weight_invalid") throw new DomainError(error, { tier: checked.tierId ?? "" });
    if (error === "poll_budget_points_invalid") throw new DomainError(error, { tier: checked.tierId ?? "" });
    throw new DomainError(error);
  }
  const poll = checked.poll;
  if (poll.eligibility.kind === "tiers") {
    const known = await deps.db.tier.count({ where: { id: { in: [...poll.eligibility.tierIds] } } });
    if (known !== poll.eligibility.tierIds.length)
      throw new DomainError("unknown_tier", { tier: poll.eligibility.tierIds.join(", ") });
  }
  const settings = await getSettings(deps.db);
  const subs = await deps.db.subscription.findMany({
    where: { tierId: { not: null }, member: { deletedAt: null, suspendedAt: null } },
    include: { holds: true },
  });
  const voters = new Map<string, Set<string>>();
  for (const s of subs) {
    if (!isEntitledNow(s, settings.graceDays, now)) continue;
    const set = voters.get(s.memberId) ?? new Set<string>();
    set.add(s.tierId as string);
    voters.set(s.memberId, set);
  }
  const id = randomUUID();
  const row = await deps.db.$transaction(async (tx) => {
    const created = await tx.poll.create({
      data: {
        id,
        question: poll.question,
        options: [...poll.options],
        mode: poll.mode,
        tierIds: poll.eligibility.kind === "tiers" ? [...poll.eligibility.tierIds] : [],
        weights: poll.weights,
        ...(poll.budget ? { budget: { ...poll.budget, points: { ...poll.budget.points } } } : {}),
        hideResults: poll.hideResultsUntilClose,
        allowLateJoiners: poll.allowLateJoiners,
        opensAt: poll.opensAt,
        closesAt: poll.closesAt,
        ideaIds: input.ideaIds ?? [],
        createdBy: input.createdBy,
      },
    });
    // Its ideas enter the poll with it (one poll at a time each: an idea in a poll cannot enter another).
    for (const ideaId of new Set(input.ideaIds ?? []))
      await moveIdea(
        tx,
        { ideaId, to: "in_poll", actor: input.createdBy, at: now, pollId: id },
        (status, title) => new DomainError("idea_not_pollable", { title, status }),
      );
    const rows = [...voters].map(([memberId, tiers]) => ({ pollId: id, memberId, tierIds: [...tiers] }));
    for (let i = 0; i < rows.length; i += 1000)
      await tx.pollVoter.createMany({ data: rows.slice(i, i + 1000) });
    await scheduleTask(tx, {
      key: `poll:close:${id}`,
      kind: "poll.close",
      payload: { pollId: id },
      runAfter: poll.closesAt,
      now,
    });
    // The roadmap message lists the polls open now.
    await scheduleRoadmapRefresh(tx, now);
    return created;
  });
  deps.log.info(
    {
      event: "poll.opened",
      pollId: id,
      mode: poll.mode,
      options: poll.options.length,
      voters: voters.size,
      closesAt: poll.closesAt,
    },
    `poll opened: ${poll.question}`,
  );
  deps.onWork?.();
  return row;
}

export type VoteOutcome = {
  /** counted: a first ballot (or the first after a clear); cleared: the ballot was emptied. */
  status: "counted" | "changed" | "unchanged" | "cleared";
  weight: number;
  /** The member's ballot now (empty once cleared). */
  choices: number[];
};

/**
 * Casts, changes or clears a member's ballot from either platform. `choices` sets the whole ballot;
 * `edit` changes it from the member's current one (toggle an approval, append a rank, clear: see
 * editBallot), read under the member's lock, so two quick presses never lose one another. A cleared
 * ballot is stored as an empty one: it counts for nothing, and stays cleared across a restart, until
 * the member votes again. Refusals are DomainErrors with the core's codes (vote_closed,
 * vote_not_member, vote_lapsed, vote_tier_not_allowed, vote_joined_after_open, ballot_*); the tally
 * is untouched by a refused vote.
 */
export async function castVote(
  deps: PollDeps,
  input: {
    pollId: string;
    who: Identity;
    /** The poll's row, when the caller just read it (saves reading it again on every vote). */
    poll?: PollRow;
  } & ({ choices: readonly number[] } | { edit: BallotEdit }),
): Promise<VoteOutcome> {
  const now = deps.clock.now();
  const edit: BallotEdit = "edit" in input ? input.edit : { kind: "set", choices: input.choices };
  const row =
    input.poll?.id === input.pollId
      ? input.poll
      : await deps.db.poll.findUnique({ where: { id: input.pollId } });
  if (!row) throw new DomainError("poll_not_found");
  if (row.closedAt) throw new DomainError("vote_closed");
  const poll = corePoll(row);
  // An edit no ballot could make valid (an unknown option, the wrong kind for the mode) is refused
  // before anything is read: applied to an empty ballot, it fails the same way.
  const shape = editBallot(poll, [], edit);
  if (!shape.ok) throw ballotError(poll, shape.error);
  const { memberId, verdict } = await voterVerdict(deps, row.id, poll, input.who, now);
  // One member's ballots are written one at a time (a double click, or a linked member pressing on
  // both platforms at once): each compares with the ballot before it, so the answer is right.
  const written = await deps.db.$transaction(async (tx) => {
    // The poll was read open before this transaction, but the closing may have tallied since: a
    // ballot stored now would be kept but never counted. The closing locks the poll's row FOR UPDATE
    // before it reads the ballots; a ballot is written under a share lock on that row, so it either
    // commits before the closing reads (and is counted) or waits for it and is refused as closed.
    // The member's lock is taken in the same statement (one round trip less per vote): the select
    // list is computed before the row is locked, so the order is the member's lock, then the row's.
    const [state] = await tx.$queryRaw<{ closed: boolean }[]>`
      SELECT pg_advisory_xact_lock(hashtext(${row.id}), hashtext(${memberId}))::text AS member_lock,
             closed_at IS NOT NULL AS closed
      FROM poll WHERE id = ${row.id} FOR SHARE`;
    if (!state) throw new DomainError("poll_not_found");
    if (state.closed) throw new DomainError("vote_closed");
    const last = await tx.pollBallot.findFirst({
      where: { pollId: row.id, memberId },
      orderBy: [{ castAt: "desc" }, { id: "desc" }],
    });
    // A budget ballot is checked against the points the member owns (canVote's weight).
    const next = editBallot(poll, last?.choices ?? [], edit, verdict.weight);
    if (!next.ok) throw ballotError(poll, next.error, verdict.weight);
    const choices = next.choices;
    // Nothing to clear, or the same ballot again: nothing is written.
    if (last ? sameChoices(last.choices, choices, poll.mode) : choices.length === 0) {
      return { written: false as const, choices, weight: last?.weight ?? verdict.weight };
    }
    await tx.pollBallot.create({
      data: {
        pollId: row.id,
        memberId,
        platform: input.who.platform,
        platformUserId: input.who.userId,
        choices,
        weight: verdict.weight,
        castAt: now,
      },
    });
    return { written: true as const, choices, hadVote: (last?.choices.length ?? 0) > 0 };
  });
  if (!written.written) return { status: "unchanged", weight: written.weight, choices: written.choices };
  const status: VoteOutcome["status"] =
    written.choices.length === 0 ? "cleared" : written.hadVote ? "changed" : "counted";
  deps.log.info(
    {
      event: "poll.vote",
      pollId: row.id,
      memberId,
      platform: input.who.platform,
      weight: verdict.weight,
      edit: edit.kind,
      status,
      changed: status === "changed",
    },
    status === "cleared" ? "ballot cleared" : "ballot recorded",
  );
  for (const p of deps.platforms ?? []) p.polls.refresh(row.id);
  return { status, weight: verdict.weight, choices: written.choices };
}

/** The member behind `who` and what they may do in `poll` now (their weight, their points), or the refusal. */
async function voterVerdict(deps: PollDeps, pollId: string, poll: CorePoll, who: Identity, now: Date) {
  const standing = await voterStanding(deps.db, pollId, who, now);
  if (!standing) throw new DomainError("vote_not_member");
  const verdict = canVote({
    poll,
    voter: { tierIdsAtOpen: standing.tierIdsAtOpen, tierIdsNow: standing.tierIdsNow },
    now,
  });
  if (!verdict.ok) throw new DomainError(verdict.error);
  return { memberId: standing.memberId, verdict };
}

/** A millisecond time from SQL (`extract(epoch …) * 1000`), as a Date. */
const msDate = (ms: number | null): Date | null => (ms === null ? null : new Date(ms));

/**
 * What a vote needs to know about the member behind `who`, in one statement (a vote is the hottest
 * path of a poll burst): their member id, the tiers frozen for them when `pollId` opened (null: not
 * frozen), and the tiers their subscriptions owe them now, by the same rule as entitledTierIds (the
 * subscriptions with their open payment holds, the settings' grace). null: no such identity.
 */
export async function voterStanding(
  db: Db | Tx,
  pollId: string,
  who: Identity,
  now: Date,
): Promise<{ memberId: string; tierIdsAtOpen: string[] | null; tierIdsNow: string[] } | null> {
  const [row] = await db.$queryRaw<
    {
      member_id: string;
      frozen: string[] | null;
      settings: Record<string, unknown> | null;
      subscriptions: {
        tierId: string;
        status: string;
        currentPeriodEnd: number | null;
        cancelAtPeriodEnd: boolean;
        pastDueSince: number | null;
        pausedSince: number | null;
        pauseKeepsAccess: boolean;
        holds: string[];
      }[];
    }[]
  >`
    SELECT i.member_id,
      (SELECT v.tier_ids FROM poll_voter v WHERE v.poll_id = ${pollId} AND v.member_id = i.member_id) AS frozen,
      (SELECT json_object_agg(st.key, st.value) FROM setting st) AS settings,
      COALESCE((
        SELECT json_agg(json_build_object(
          'tierId', s.tier_id,
          'status', s.status,
          'currentPeriodEnd', (extract(epoch FROM s.current_period_end) * 1000)::float8,
          'cancelAtPeriodEnd', s.cancel_at_period_end,
          'pastDueSince', (extract(epoch FROM s.past_due_since) * 1000)::float8,
          'pausedSince', (extract(epoch FROM s.paused_since) * 1000)::float8,
          'pauseKeepsAccess', s.pause_keeps_access,
          'holds', COALESCE((SELECT json_agg(h.reason) FROM payment_hold h
                             WHERE h.subscription_id = s.id AND h.lifted_at IS NULL), '[]'::json)))
        FROM subscription s JOIN member m ON m.id = s.member_id
        WHERE s.member_id = i.member_id AND s.tier_id IS NOT NULL
          AND m.deleted_at IS NULL AND m.suspended_at IS NULL), '[]'::json) AS subscriptions
    FROM identity i
    WHERE i.platform = ${who.platform}::"Platform" AND i.platform_user_id = ${who.userId}`;
  if (!row) return null;
  const { graceDays } = parseSettings(row.settings ?? {});
  const owed = row.subscriptions.filter((s) =>
    isEntitledNow(
      {
        status: s.status,
        currentPeriodEnd: msDate(s.currentPeriodEnd),
        cancelAtPeriodEnd: s.cancelAtPeriodEnd,
        pastDueSince: msDate(s.pastDueSince),
        pausedSince: msDate(s.pausedSince),
        pauseKeepsAccess: s.pauseKeepsAccess,
        holds: s.holds.map((reason) => ({ reason })),
      },
      graceDays,
      now,
    ),
  );
  return {
    memberId: row.member_id,
    tierIdsAtOpen: row.frozen,
    tierIdsNow: [...new Set(owed.map((s) => s.tierId))],
  };
}

export interface BudgetBallot {
  poll: PollRow;
  /** The points the member spreads (canVote's weight), known here, never from the fan's input. */
  points: number;
  /** The most one option may take (null: no cap beyond the member's points). */
  cap: number | null;
  /** Points per option: the draft given (checked), else the member's stored ballot (zeros if none). */
  allocation: number[];
}

/**
 * A member's budget ballot as a private step-by-step ballot edits it (Discord): the points they own
 * and their stored allocation, or, with `draft`, a draft allocation checked against the poll and
 * their points. Nothing is written: only castVote stores a ballot (and checks it again, under the
 * member's lock). Refusals are the ones castVote gives: poll_not_found (also for a poll of another
 * mode: a ballot that cannot exist), vote_closed, the vote_* of canVote, ballot_unknown_option (not
 * one count per option), ballot_points_invalid, ballot_over_option_cap, ballot_over_budget.
 */
export async function budgetBallot(
  deps: PollDeps,
  input: { pollId: string; who: Identity; poll?: PollRow; draft?: readonly number[] },
): Promise<BudgetBallot> {
  const now = deps.clock.now();
  const row =
    input.poll?.id === input.pollId
      ? input.poll
      : await deps.db.poll.findUnique({ where: { id: input.pollId } });
  if (row?.mode !== "budget") throw new DomainError("poll_not_found");
  if (row.closedAt) throw new DomainError("vote_closed");
  const poll = corePoll(row);
  const { draft } = input;
  if (draft && draft.length !== poll.options.length) throw new DomainError("ballot_unknown_option");
  const { memberId, verdict } = await voterVerdict(deps, row.id, poll, input.who, now);
  const cap = poll.budget?.maxPerOption ?? null;
  if (draft) {
    // An empty draft is fine here (casting it clears the ballot); any other is checked like a ballot.
    if (draft.some((n) => n !== 0)) {
      const checked = editBallot(poll, [], { kind: "allocate", points: draft }, verdict.weight);
      if (!checked.ok) throw ballotError(poll, checked.error, verdict.weight);
    }
    return { poll: row, points: verdict.weight, cap, allocation: [...draft] };
  }
  const last = await deps.db.pollBallot.findFirst({
    where: { pollId: row.id, memberId },
    orderBy: [{ castAt: "desc" }, { id: "desc" }],
  });
  return {
    poll: row,
    points: verdict.weight,
    cap,
    allocation: ballotAllocation(poll.options.length, last?.choices ?? []),
  };
}

/** A refused ballot as a DomainError, with what its message names (the cap, the member's points). */
function ballotError(poll: CorePoll, error: BallotError, points = 0): DomainError {
  if (error === "ballot_over_option_cap")
    return new DomainError(error, { cap: poll.budget?.maxPerOption ?? 0 });
  if (error === "ballot_over_budget") return new DomainError(error, { points });
  return new DomainError(error);
}

function sameChoices(a: readonly number[], b: readonly number[], mode: string): boolean {
  if (a.length !== b.length) return false;
  // Approval is a set; ranked is an order; single is one value.
  if (mode === "approval") return [...a].sort().join() === [...b].sort().join();
  return a.every((x, i) => x === b[i]);
}

async function currentBallots(db: Db | Tx, pollId: string) {
  const all = await db.pollBallot.findMany({ where: { pollId } });
  return countedBallots(all.map((b) => ({ ...b, id: String(b.id).padStart(20, "0"), at: b.castAt })));
}

/** The tally now (or the stored one once closed). `hidden` when results wait for the closing. */
export async function pollResults(
  deps: PollDeps,
  pollId: string,
  opts: { creator?: boolean } = {},
): Promise<{ poll: PollRow; tally: Tally | null; hidden: boolean; voters: number }> {
  const row = await deps.db.poll.findUnique({ where: { id: pollId } });
  if (!row) throw new DomainError("poll_not_found");
  const closed = row.closedAt !== null;
  const hidden = row.hideResults && !closed && !opts.creator;
  const ballots = await currentBallots(deps.db, pollId);
  const tally = closed && row.result ? (row.result as unknown as Tally) : tallyPoll(corePoll(row), ballots);
  return { poll: row, tally: hidden ? null : tally, hidden, voters: ballots.length };
}

/**
 * Closes a poll (at its time, or early by the creator): the tally from every member's latest
 * ballot is stored with the poll. Idempotent: closing a closed poll returns its stored result.
 */
export async function closePoll(
  deps: PollDeps,
  pollId: string,
  opts: { actor: string },
): Promise<{ poll: PollRow; tally: Tally }> {
  const result = await deps.db.$transaction(async (tx) => {
    // Waits for the ballots being written (castVote holds this row FOR SHARE) and holds back the
    // next ones until the result is stored: the tally below reads every ballot that will ever be kept
    // for this poll, so the stored result, the ballots and the CSV export always agree.
    await tx.$queryRaw`SELECT id FROM poll WHERE id = ${pollId} FOR UPDATE`;
    const now = deps.clock.now();
    const row = await tx.poll.findUnique({ where: { id: pollId } });
    if (!row) throw new DomainError("poll_not_found");
    if (row.closedAt && row.result)
      return { poll: row, tally: row.result as unknown as Tally, already: true, held: [] };
    const tally = tallyPoll(corePoll(row), await currentBallots(tx, pollId));
    const closed = await tx.poll.update({
      where: { id: pollId },
      data: { closedAt: now, result: JSON.parse(JSON.stringify(tally)) },
    });
    await cancelTask(tx, `poll:close:${pollId}`);
    await settleIdeas(tx, closed, tally, { actor: opts.actor, now });
    await scheduleRoadmapRefresh(tx, now);
    // One task per platform, held by this process to show the results at once (the creator's reply
    // comes after them); should it die first, the task worker does it once the lease has run out. A
    // platform that fails is retried without posting the other's chart again.
    const held: { platform: Pick<Platform, "name" | "polls">; task: HeldTask }[] = [];
    for (const p of deps.platforms ?? []) {
      const task = await holdTask(tx, {
        key: `poll:results:${pollId}:${p.name}`,
        kind: POLL_RESULTS_TASK,
        payload: { pollId, platform: p.name },
        leaseMs: POLL_RESULTS_LEASE_MS,
        now,
        dedupe: "pollId",
      });
      if (task) held.push({ platform: p, task });
    }
    return { poll: closed, tally, already: false, held };
  });
  if (!result.already) {
    for (const { platform, task } of result.held) {
      const shown = await showResults(deps, platform, pollId);
      await settleHeldTask(deps.db, task, shown, { now: deps.clock.now(), retryMs: 30_000 }).catch(
        (err: unknown) =>
          // Not settled: the task worker runs it again once the lease has run out.
          deps.log.warn(
            { event: "poll.results_unsettled", pollId, err },
            "could not record the results shown",
          ),
      );
    }
    // The winner's author has a message waiting (settleIdeas), the roadmap message a refresh.
    deps.onWork?.();
    deps.log.info(
      {
        event: "poll.closed",
        pollId,
        actor: opts.actor,
        winners: result.tally.winners,
        tie: result.tally.tie,
        voters: result.tally.totalVoters,
      },
      `poll closed: ${result.poll.question}`,
    );
  }
  return { poll: result.poll, tally: result.tally };
}

/** Shows a closed poll's results on one platform (POLL_RESULTS_TASK's work). */
async function showResults(
  deps: Pick<PollDeps, "log">,
  platform: Pick<Platform, "name" | "polls">,
  pollId: string,
): Promise<JobResult> {
  try {
    await platform.polls.closed(pollId);
  } catch (err) {
    // Passing trouble (the database, the platform): tried again later.
    deps.log.warn(
      { event: "poll.announce_failed", pollId, platform: platform.name, err },
      "could not post the poll's results; will retry",
    );
    return { outcome: "retry", error: err instanceof Error ? err.message : String(err) };
  }
  deps.log.info({ event: "poll.results_shown", pollId, platform: platform.name }, "poll results shown");
  return { outcome: "done", note: `results shown on ${platform.name}` };
}

/**
 * A closing poll's ideas move by themselves: the one winner is won (its author is credited and
 * told), the others lost; in a tie the tied ideas go back to the shortlist.
 */
async function settleIdeas(tx: Tx, poll: PollRow, tally: Tally, at: { actor: string; now: Date }) {
  if (poll.ideaIds.length === 0) return;
  for (const move of closingMoves(poll.ideaIds, tally.winners)) {
    const idea = await tx.idea.findUnique({ where: { id: move.ideaId } });
    // Only ideas still in this poll move (the lifecycle keeps an idea in one poll at a time).
    if (idea?.status !== "in_poll" || idea.pollId !== poll.id) continue;
    await moveIdea(tx, { ideaId: idea.id, to: move.to, actor: at.actor, at: at.now, pollId: poll.id });
    if (move.to === "won") {
      await scheduleTaskOnce(tx, {
        key: `notify:idea:${idea.id}:won`,
        kind: "member.notify",
        payload: {
          memberId: idea.authorMemberId,
          template: "idea_won",
          title: idea.title,
          question: poll.question,
        },
        runAfter: at.now,
        now: at.now,
      });
    }
  }
}

/** Every ballot cast, for the creator: member, platform, choice, weight, time. */
export async function exportBallotsCsv(deps: PollDeps, pollId: string): Promise<string> {
  const row = await deps.db.poll.findUnique({ where: { id: pollId } });
  if (!row) throw new DomainError("poll_not_found");
  const ballots = await deps.db.pollBallot.findMany({
    where: { pollId },
    orderBy: [{ castAt: "asc" }, { id: "asc" }],
  });
  return ballotsToCsv(
    corePoll(row),
    ballots.map((b) => ({
      memberId: b.memberId,
      platform: b.platform,
      choices: b.choices,
      weight: b.weight,
      at: b.castAt,
    })),
  );
}

/**
 * The creator marks the winning option "in the works", then "shipped": every member who voted is
 * told on their platforms, so the tribe sees its votes change what gets made. When the winner came
 * from an idea, the idea moves with it, and once shipped its upvoters (and its author) are told too.
 */
export async function setCommitment(
  deps: PollDeps,
  pollId: string,
  stage: "in_the_works" | "shipped",
  opts: { actor?: string } = {},
): Promise<{ notified: number }> {
  const now = deps.clock.now();
  const row = await deps.db.poll.findUnique({ where: { id: pollId } });
  if (!row) throw new DomainError("poll_not_found");
  if (!row.closedAt || !row.result) throw new DomainError("poll_not_closed");
  const tally = row.result as unknown as Tally;
  const winnerIndex = tally.winners.length === 1 ? tally.winners[0]! : undefined;
  const winner = winnerIndex === undefined ? undefined : row.options[winnerIndex];
  if (winnerIndex === undefined || winner === undefined) throw new DomainError("poll_no_single_winner");
  if (stage === "in_the_works" && row.commitment === "shipped") throw new DomainError("poll_already_shipped");
  const ideaId = row.ideaIds[winnerIndex];
  // Members who voted (a ballot that chose something), whatever they changed afterwards.
  const voters = await deps.db.pollBallot.findMany({
    where: { pollId, choices: { isEmpty: false } },
    distinct: ["memberId"],
    select: { memberId: true },
  });
  const voterIds = new Set(voters.map((v) => v.memberId));
  let upvoters = 0;
  await deps.db.$transaction(async (tx) => {
    await tx.poll.update({
      where: { id: pollId },
      data: {
        commitment: stage,
        commitmentAt: now,
        ...(stage === "in_the_works" ? { inTheWorksAt: now } : { shippedAt: now }),
      },
    });
    await scheduleRoadmapRefresh(tx, now);
    for (const v of voters) {
      await scheduleTaskOnce(tx, {
        key: `notify:poll:${pollId}:${stage}:${v.memberId}`,
        kind: "member.notify",
        payload: {
          memberId: v.memberId,
          template: "poll_commitment",
          question: row.question,
          option: winner,
          stage,
        },
        runAfter: now,
        now,
      });
    }
    if (!ideaId) return;
    const idea = await tx.idea.findUnique({
      where: { id: ideaId },
      include: { votes: { select: { memberId: true } } },
    });
    if (!idea) return;
    await moveIdea(tx, { ideaId, to: stage, actor: opts.actor ?? "creator", at: now, pollId });
    if (stage !== "shipped") return;
    // Who upvoted the idea (and its author) hear it shipped, once; a voter already heard it above.
    const fans = new Set([idea.authorMemberId, ...idea.votes.map((v) => v.memberId)]);
    for (const memberId of fans) {
      if (voterIds.has(memberId)) continue;
      upvoters++;
      await scheduleTaskOnce(tx, {
        key: `notify:idea:${ideaId}:shipped:${memberId}`,
        kind: "member.notify",
        payload: { memberId, template: "idea_shipped", title: idea.title },
        runAfter: now,
        now,
      });
    }
  });
  deps.log.info(
    { event: "poll.commitment", pollId, stage, voters: voters.length, upvoters, ideaId: ideaId ?? null },
    `${winner}: ${stage}`,
  );
  deps.onWork?.();
  return { notified: voters.length + upvoters };
}

/**
 * Durable closing: the task scheduled at opening closes the poll at its time, even after a restart;
 * the tasks the closing writes show its results on each platform.
 */
export function pollTaskHandlers(
  deps: PollDeps & { onPollClosed?: (pollId: string) => Promise<void> },
): Record<string, TaskHandler> {
  return {
    "poll.close": async (payload) => {
      const pollId = (payload as { pollId?: string }).pollId;
      if (!pollId) return { outcome: "dead", error: "payload without pollId" };
      const { tally } = await closePoll(deps, pollId, { actor: "schedule" });
      return { outcome: "done", note: `${tally.totalVoters} voter(s)` };
    },
    [POLL_RESULTS_TASK]: async (payload) => {
      const { pollId, platform } = payload as { pollId?: string; platform?: string };
      if (!pollId || !platform) return { outcome: "dead", error: "payload without pollId or platform" };
      const surface = deps.platforms?.find((p) => p.name === platform);
      if (!surface) return { outcome: "done", note: `no ${platform} platform attached: results not shown` };
      return showResults(deps, surface, pollId);
    },
  };
}

/**
 * Posts a new poll on every platform at once (each platform's poll surface), each in the places the creator
 * chose or its defaults. A platform that fails is reported, never fatal: the poll is open and
 * counted ballots from the other platforms are not lost.
 */
export async function publishPoll(
  deps: Pick<PollDeps, "log" | "platforms">,
  pollId: string,
  placement: PollPlacement = {},
): Promise<PollPostReport[]> {
  const platforms = deps.platforms ?? [];
  const settled = await Promise.allSettled(platforms.map((p) => p.polls.publish(pollId, placement)));
  const reports = settled.flatMap((s): PollPostReport[] => {
    if (s.status === "fulfilled") return [s.value];
    deps.log.error(
      { event: "poll.publish_failed", pollId, err: s.reason },
      "a platform could not post the poll",
    );
    return [];
  });
  deps.log.info(
    {
      event: "poll.published",
      pollId,
      posts: reports.map((r) => ({ platform: r.platform, posted: r.posted.length, failed: r.failed.length })),
    },
    "poll posted",
  );
  return reports;
}

/** One line of the creator's answer to a new poll, whatever the platform it is shown on. */
export type PlacementLine =
  | { kind: "posted"; platform: PollPostReport["platform"]; places: { chatId: string; url?: string }[] }
  /** Posted nowhere and nothing failed: no place is set up for it on that platform. */
  | { kind: "unposted"; platform: PollPostReport["platform"] }
  | {
      kind: "failed";
      platform: PollPostReport["platform"];
      chatId: string;
      problem: PostProblem;
      /** The platform's own words (English), at most 200 characters. */
      detail: string;
    };

/**
 * Where a new poll went, platform by platform: the places it was posted in (or that it has no place
 * on that platform), then each place that refused it, with why.
 * Each platform words the lines; the facts are the same on both.
 */
export function placementLines(reports: readonly PollPostReport[]): PlacementLine[] {
  const lines: PlacementLine[] = [];
  for (const r of reports) {
    if (r.posted.length > 0) lines.push({ kind: "posted", platform: r.platform, places: [...r.posted] });
    else if (r.failed.length === 0) lines.push({ kind: "unposted", platform: r.platform });
    for (const f of r.failed)
      lines.push({
        kind: "failed",
        platform: r.platform,
        chatId: f.chatId,
        problem: f.problem,
        detail: f.detail.slice(0, 200),
      });
  }
  return lines;
}

/**
 * Records where a poll was posted, so its live and final results can be shown there, and its
 * discussion place (src/app/discussions.ts) in the same transaction: on Telegram the message itself
 * (its replies are the discussion; `username` is the chat's public one, from the sent message); on
 * Discord a durable task opens a thread on it.
 */
export async function recordPollPost(
  deps: Pick<PollDeps, "db" | "clock" | "onWork">,
  post: {
    pollId: string;
    platform: PlatformName;
    chatId: string;
    messageId: string;
    /**
     * The poll's discussion place in this chat: `message` when the poll message is itself the root
     * of its replies (recorded now, `username` a public chat's, for its link), `opened` when the
     * platform opens a place on it (a thread: the discussion.open task, src/app/discussions.ts).
     */
    discussion: { kind: "message"; username: string | null } | { kind: "opened" };
  },
): Promise<void> {
  const { discussion, ...row } = post;
  const now = deps.clock.now();
  await deps.db.$transaction(async (tx) => {
    await tx.pollPost.upsert({
      where: {
        platform_chatId_messageId: { platform: row.platform, chatId: row.chatId, messageId: row.messageId },
      },
      create: { id: randomUUID(), ...row },
      update: {},
    });
    const subject = { kind: "poll" as const, id: row.pollId };
    if (discussion.kind === "message") {
      await recordDiscussion(
        tx,
        subject,
        {
          platform: row.platform,
          chatId: row.chatId,
          threadId: row.messageId,
          username: discussion.username,
        },
        now,
      );
      // The roadmap message links to it.
      await scheduleRoadmapRefresh(tx, now);
    } else {
      await scheduleDiscussion(tx, subject, now);
    }
  });
  deps.onWork?.();
}

export async function pollPosts(db: Db, pollId: string, platform: PlatformName) {
  return db.pollPost.findMany({ where: { pollId, platform }, orderBy: { createdAt: "asc" } });
}

/** Open polls, newest first (for creator listings). */
/**
 * The newest polls, one bounded page in the order of the created_at index. `search` narrows it to
 * polls whose id starts with it or whose question contains it (an autocomplete's typed text).
 */
export async function listPolls(db: Db, opts: { open?: boolean; limit?: number; search?: string } = {}) {
  const needle = opts.search?.trim().toLowerCase() ?? "";
  return db.poll.findMany({
    where: {
      ...(opts.open === undefined ? {} : opts.open ? { closedAt: null } : { closedAt: { not: null } }),
      ...(needle
        ? { OR: [{ id: { startsWith: needle } }, { question: { contains: needle, mode: "insensitive" } }] }
        : {}),
    },
    orderBy: { createdAt: "desc" },
    take: Math.min(Math.max(1, opts.limit ?? 10), 25),
  });
}
