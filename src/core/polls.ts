/**
 * Co-decision polls: what makes a poll well formed, a ballot valid and a member allowed to vote,
 * which ballot of a member counts, and the tallies (plurality, approval, instant-runoff).
 *
 * Pure: no I/O, no clock (the caller passes `now`). Expected refusals are results, never throws.
 * Every rule is a GIVEN/THEN in test/unit/core/polls.test.ts.
 */
import type { Platform } from "./access.ts";
import { csvRecord } from "./csv.ts";

export type PollMode = "single" | "approval" | "ranked" | "budget";
export const POLL_MODES: readonly PollMode[] = ["single", "approval", "ranked", "budget"];

/** Who may vote: every member, or members of the chosen tiers only. */
export type PollEligibility = { kind: "all" } | { kind: "tiers"; tierIds: readonly string[] };

export const QUESTION_MAX_CHARS = 300;
export const OPTION_MAX_CHARS = 100;
export const MIN_OPTIONS = 2;
export const MAX_OPTIONS = 10;
export const MIN_WEIGHT = 1;
export const MAX_WEIGHT = 10;
/** Budget polls: the points a member spreads, per tier, and the most one option may take. */
export const MIN_BUDGET_POINTS = 1;
export const MAX_BUDGET_POINTS = 100;

/**
 * A budget poll's points: each member spreads the points of their tier (the highest, if they hold
 * several eligible tiers) across the options, at most `maxPerOption` on one (null: no cap beyond
 * their points). Tiers not listed in `points` get `defaultPoints`.
 */
export interface PollBudget {
  defaultPoints: number;
  /** tierId → points (whole numbers 1..100). */
  points: Readonly<Record<string, number>>;
  maxPerOption: number | null;
}

/** What the creator gives: points for some tiers, a default for the others, an optional cap. */
export interface PollBudgetInput {
  /** tierId → points. */
  points?: Readonly<Record<string, number>>;
  /** Points of the tiers not listed; defaults to the lowest listed. */
  defaultPoints?: number;
  maxPerOption?: number | null;
}

export const MIN_OPEN_MS = 60 * 1000;
export const MAX_OPEN_MS = 8 * 7 * 24 * 60 * 60 * 1000;

export interface PollInput {
  question: string;
  options: readonly string[];
  closesAt: Date;
  /**
   * When it opens: the moment a command counted its duration from (so a 3-day poll lasts exactly
   * 3 days, however long the command took to get here). Default: now.
   */
  opensAt?: Date;
  mode: PollMode;
  eligibility: PollEligibility;
  /** tierId → weight (integer 1..10). Tiers not listed weigh 1. */
  weights?: Readonly<Record<string, number>>;
  hideResultsUntilClose?: boolean;
  /** Default false: who may vote is frozen when the poll opens, so buying in mid-poll gives no say. */
  allowLateJoiners?: boolean;
  /** Budget polls only (and required for them). */
  budget?: PollBudgetInput | null;
}

export interface Poll {
  question: string;
  /** Trimmed labels; a ballot refers to them by index, so their order is fixed once the poll opens. */
  options: readonly string[];
  /** The `now` the poll was validated at: the moment eligibility is frozen. */
  opensAt: Date;
  closesAt: Date;
  mode: PollMode;
  eligibility: PollEligibility;
  weights: Readonly<Record<string, number>>;
  hideResultsUntilClose: boolean;
  allowLateJoiners: boolean;
  /** Set for budget polls, null for the others. */
  budget: PollBudget | null;
}

export type PollError =
  | "poll_question_invalid"
  | "poll_too_few_options"
  | "poll_too_many_options"
  | "poll_option_invalid"
  | "poll_duplicate_option"
  | "poll_close_invalid"
  | "poll_close_in_past"
  | "poll_close_too_soon"
  | "poll_close_too_far"
  | "poll_mode_invalid"
  | "poll_no_tiers"
  | "poll_weight_invalid"
  /** A budget poll without points, or points given for another mode. */
  | "poll_budget_missing"
  | "poll_budget_not_budget_mode"
  /** `tierId`: the tier whose points are not a whole number 1..100 (absent: the default points). */
  | "poll_budget_points_invalid"
  | "poll_budget_cap_invalid"
  /** Points are the weighting of a budget poll: tier weights would count twice. */
  | "poll_budget_weights";

export type PollValidation =
  | { ok: true; poll: Poll }
  /** `option` is the index of the offending option; `tierId` the tier with a bad weight. */
  | { ok: false; error: PollError; option?: number; tierId?: string };

/** Length in code points, so an emoji counts as one character, as the fan sees it. */
function charCount(s: string): number {
  return [...s].length;
}

/**
 * The key two labels must not share. NFKC folds look-alike forms (full-width letters, ligatures);
 * upper-then-lower approximates full Unicode case folding ("Straße" and "STRASSE" collide), and is
 * locale-independent so the rule does not depend on the server's locale.
 */
function foldLabel(s: string): string {
  return s.trim().normalize("NFKC").toUpperCase().toLowerCase();
}

/**
 * Checks a poll definition, in the order the creator filled it in: question, options, closing time,
 * mode, eligibility, weights. The first problem found is reported.
 */
export function validatePoll(input: PollInput, now: Date): PollValidation {
  const question = input.question.trim();
  if (question.length === 0 || charCount(question) > QUESTION_MAX_CHARS) {
    return { ok: false, error: "poll_question_invalid" };
  }

  if (input.options.length < MIN_OPTIONS) return { ok: false, error: "poll_too_few_options" };
  if (input.options.length > MAX_OPTIONS) return { ok: false, error: "poll_too_many_options" };
  const options: string[] = [];
  const seen = new Set<string>();
  for (const [i, raw] of input.options.entries()) {
    const label = raw.trim();
    if (label.length === 0 || charCount(label) > OPTION_MAX_CHARS) {
      return { ok: false, error: "poll_option_invalid", option: i };
    }
    const key = foldLabel(label);
    if (seen.has(key)) return { ok: false, error: "poll_duplicate_option", option: i };
    seen.add(key);
    options.push(label);
  }

  const closes = input.closesAt.getTime();
  if (Number.isNaN(closes)) return { ok: false, error: "poll_close_invalid" };
  const ahead = closes - now.getTime();
  if (ahead <= 0) return { ok: false, error: "poll_close_in_past" };
  if (ahead < MIN_OPEN_MS) return { ok: false, error: "poll_close_too_soon" };
  if (ahead > MAX_OPEN_MS) return { ok: false, error: "poll_close_too_far" };

  // The type already says so, but the input comes from a slash command or a web form.
  if (!(POLL_MODES as readonly string[]).includes(input.mode))
    return { ok: false, error: "poll_mode_invalid" };

  let eligibility: PollEligibility = { kind: "all" };
  if (input.eligibility.kind === "tiers") {
    const tierIds = [...new Set(input.eligibility.tierIds.map((t) => t.trim()).filter((t) => t !== ""))];
    // An empty list would be a poll nobody may vote in: surely a mistake, not an intent.
    if (tierIds.length === 0) return { ok: false, error: "poll_no_tiers" };
    eligibility = { kind: "tiers", tierIds };
  }

  // Null prototype: a tier id such as "constructor" must not find Object.prototype's members.
  const weights: Record<string, number> = Object.create(null);
  for (const [tierId, w] of Object.entries(input.weights ?? {}).sort(([a], [b]) => compareText(a, b))) {
    if (!Number.isInteger(w) || w < MIN_WEIGHT || w > MAX_WEIGHT) {
      return { ok: false, error: "poll_weight_invalid", tierId };
    }
    weights[tierId] = w;
  }

  const budget = validateBudget(input);
  if (!budget.ok) return budget;

  return {
    ok: true,
    poll: {
      question,
      options,
      opensAt: new Date((input.opensAt ?? now).getTime()),
      closesAt: new Date(closes),
      mode: input.mode,
      eligibility,
      weights,
      hideResultsUntilClose: input.hideResultsUntilClose ?? false,
      allowLateJoiners: input.allowLateJoiners ?? false,
      budget: budget.budget,
    },
  };
}

function validPoints(n: unknown): n is number {
  return typeof n === "number" && Number.isInteger(n) && n >= MIN_BUDGET_POINTS && n <= MAX_BUDGET_POINTS;
}

/** The budget of a budget poll (required), none for the other modes (refused if given). */
function validateBudget(
  input: PollInput,
): { ok: true; budget: PollBudget | null } | { ok: false; error: PollError; tierId?: string } {
  const raw = input.budget;
  if (input.mode !== "budget") {
    return raw ? { ok: false, error: "poll_budget_not_budget_mode" } : { ok: true, budget: null };
  }
  const listed = Object.entries(raw?.points ?? {}).sort(([a], [b]) => compareText(a, b));
  if (!raw || (listed.length === 0 && raw.defaultPoints === undefined)) {
    return { ok: false, error: "poll_budget_missing" };
  }
  if (Object.keys(input.weights ?? {}).length > 0) return { ok: false, error: "poll_budget_weights" };
  const points: Record<string, number> = Object.create(null);
  for (const [tierId, n] of listed) {
    if (!validPoints(n)) return { ok: false, error: "poll_budget_points_invalid", tierId };
    points[tierId] = n;
  }
  const defaultPoints = raw.defaultPoints ?? Math.min(...Object.values(points));
  if (!validPoints(defaultPoints)) return { ok: false, error: "poll_budget_points_invalid" };
  const cap = raw.maxPerOption ?? null;
  if (cap !== null && (!Number.isInteger(cap) || cap < 1 || cap > MAX_BUDGET_POINTS)) {
    return { ok: false, error: "poll_budget_cap_invalid" };
  }
  return { ok: true, budget: { defaultPoints, points, maxPerOption: cap } };
}

/** Plain code-unit order: the same on every machine, unlike localeCompare. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Whether results may be shown to voters now (the creator may always look). */
export function resultsVisible(poll: Pick<Poll, "hideResultsUntilClose" | "closesAt">, now: Date): boolean {
  return !poll.hideResultsUntilClose || now.getTime() >= poll.closesAt.getTime();
}

// ---------------------------------------------------------------------------------------------------
// Ballots

/**
 * Option indexes: the one pick (single), the approved set (approval), best-first (ranked), or one
 * index per point given (budget: [0, 0, 2] gives two points to the first option and one to the
 * third, kept in ascending order). So a budget ballot fits the same storage, and its tally is a count.
 */
export interface BallotChoices {
  choices: readonly number[];
}

export type BallotError =
  | "ballot_empty"
  | "ballot_unknown_option"
  | "ballot_duplicate_choice"
  | "ballot_too_many_choices"
  /** Budget: a negative or fractional number of points on an option. */
  | "ballot_points_invalid"
  /** Budget: more points on one option than the poll's cap. */
  | "ballot_over_option_cap"
  /** Budget: more points than the member owns. */
  | "ballot_over_budget";

export type BallotValidation = { ok: true } | { ok: false; error: BallotError };

/** A budget ballot's choices as points per option, indexed like the options. */
export function ballotAllocation(optionCount: number, choices: readonly number[]): number[] {
  const points = Array.from({ length: optionCount }, () => 0);
  for (const c of choices) if (c >= 0 && c < optionCount) points[c] = (points[c] ?? 0) + 1;
  return points;
}

/** Points per option → the stored choices (one index per point, ascending). */
export function allocationChoices(points: readonly number[]): number[] {
  return points.flatMap((n, i) => Array.from({ length: Math.max(0, n) }, () => i));
}

/**
 * A ballot names at least one known option, each at most once; a single-choice ballot names one.
 * Ranked ballots may stop early (a partial ranking): the unranked options are simply never preferred.
 */
export function validateBallot(
  poll: Pick<Poll, "mode" | "options"> & { budget?: PollBudget | null },
  ballot: BallotChoices,
  /** Budget polls: the points the member owns (canVote's weight); unchecked when absent. */
  points?: number,
): BallotValidation {
  const { choices } = ballot;
  if (choices.length === 0) return { ok: false, error: "ballot_empty" };
  if (choices.some((c) => !Number.isInteger(c) || c < 0 || c >= poll.options.length)) {
    return { ok: false, error: "ballot_unknown_option" };
  }
  if (poll.mode === "budget") {
    const cap = poll.budget?.maxPerOption ?? null;
    if (cap !== null && ballotAllocation(poll.options.length, choices).some((n) => n > cap)) {
      return { ok: false, error: "ballot_over_option_cap" };
    }
    if (points !== undefined && choices.length > points) return { ok: false, error: "ballot_over_budget" };
    return { ok: true };
  }
  if (new Set(choices).size !== choices.length) return { ok: false, error: "ballot_duplicate_choice" };
  if (poll.mode === "single" && choices.length > 1) return { ok: false, error: "ballot_too_many_choices" };
  return { ok: true };
}

/**
 * How a member changes their ballot, whichever platform they press on: set it whole (a button, a
 * menu, a ranking built in private steps), toggle one option (approval), append the next rank
 * (ranked), or clear it (start a ranking over).
 */
export type BallotEdit =
  | { kind: "set"; choices: readonly number[] }
  | { kind: "toggle"; option: number }
  | { kind: "append"; option: number }
  /** Budget: the whole allocation, points per option (indexed like the options). */
  | { kind: "allocate"; points: readonly number[] }
  /** Budget: one point more (+1) or less (-1) on one option; less on an option at 0 changes nothing. */
  | { kind: "adjust"; option: number; delta: 1 | -1 }
  | { kind: "clear" };

export type BallotEditResult = { ok: true; choices: number[] } | { ok: false; error: BallotError };

/**
 * The ballot an edit leads to, from the member's current one (empty when they have none, or cleared
 * it). Toggle adds an option or takes it back (approval only); append adds the next rank, and an
 * option already ranked keeps its place (ranked only); another edit for the mode is refused as
 * ballot_unknown_option, like a component the poll does not show. The result is checked like any
 * ballot, except a clear: an empty ballot counts for nothing until the member votes again.
 */
export function editBallot(
  poll: Pick<Poll, "mode" | "options"> & { budget?: PollBudget | null },
  current: readonly number[],
  edit: BallotEdit,
  /** Budget polls: the points the member owns (see validateBallot). */
  points?: number,
): BallotEditResult {
  let choices: number[];
  switch (edit.kind) {
    case "clear":
      return { ok: true, choices: [] };
    case "set":
      choices = [...edit.choices];
      break;
    case "toggle":
      if (poll.mode !== "approval") return { ok: false, error: "ballot_unknown_option" };
      choices = current.includes(edit.option)
        ? current.filter((c) => c !== edit.option)
        : [...current, edit.option];
      break;
    case "append":
      if (poll.mode !== "ranked") return { ok: false, error: "ballot_unknown_option" };
      choices = current.includes(edit.option) ? [...current] : [...current, edit.option];
      break;
    case "allocate":
      if (poll.mode !== "budget" || edit.points.length > poll.options.length)
        return { ok: false, error: "ballot_unknown_option" };
      if (edit.points.some((n) => !Number.isInteger(n) || n < 0 || n > MAX_BUDGET_POINTS))
        return { ok: false, error: "ballot_points_invalid" };
      choices = allocationChoices(edit.points);
      break;
    case "adjust": {
      if (poll.mode !== "budget" || (edit.delta !== 1 && edit.delta !== -1))
        return { ok: false, error: "ballot_unknown_option" };
      if (!Number.isInteger(edit.option) || edit.option < 0 || edit.option >= poll.options.length)
        return { ok: false, error: "ballot_unknown_option" };
      const points = ballotAllocation(poll.options.length, current);
      points[edit.option] = Math.max(0, (points[edit.option] ?? 0) + edit.delta);
      choices = allocationChoices(points);
      // Taking back the last point empties the ballot, like a clear: it counts for nothing.
      if (choices.length === 0) return { ok: true, choices };
      break;
    }
  }
  // A budget ballot set whole is kept in its one canonical order, whatever order it came in.
  if (poll.mode === "budget") choices.sort((a, b) => a - b);
  const checked = validateBallot(poll, { choices }, points);
  return checked.ok ? { ok: true, choices } : checked;
}

// ---------------------------------------------------------------------------------------------------
// Who may vote, and with what weight

export interface Voter {
  /** The member's entitled tiers when the poll opened; null when they were not a member then. */
  tierIdsAtOpen: readonly string[] | null;
  /** The member's entitled tiers now (empty when they have lapsed or never joined). */
  tierIdsNow: readonly string[];
}

export type VoteRefusal =
  | "vote_closed"
  | "vote_not_member"
  | "vote_lapsed"
  | "vote_tier_not_allowed"
  | "vote_joined_after_open";

export type VoteEligibility = { ok: true; weight: number } | { ok: false; error: VoteRefusal };

export function weightOfTier(poll: Pick<Poll, "weights">, tierId: string): number {
  return Object.hasOwn(poll.weights, tierId) ? (poll.weights[tierId] ?? 1) : 1;
}

/** The points a tier gives in a budget poll: its own, or the poll's default. */
export function pointsOfTier(budget: PollBudget, tierId: string): number {
  return Object.hasOwn(budget.points, tierId)
    ? (budget.points[tierId] ?? budget.defaultPoints)
    : budget.defaultPoints;
}

type WeighedPoll = Pick<Poll, "weights"> & { mode?: PollMode; budget?: PollBudget | null };

function eligibleTiers(poll: Pick<Poll, "eligibility">, tierIds: readonly string[]): string[] {
  const { eligibility } = poll;
  return eligibility.kind === "all" ? [...tierIds] : tierIds.filter((t) => eligibility.tierIds.includes(t));
}

/** A budget poll's "weight" is the member's points: the points of their best tier, never multiplied. */
function highestWeight(poll: WeighedPoll, tierIds: readonly string[]): number {
  const { budget } = poll;
  if (poll.mode === "budget" && budget) return Math.max(...tierIds.map((t) => pointsOfTier(budget, t)));
  return Math.max(...tierIds.map((t) => weightOfTier(poll, t)));
}

/**
 * Whether a member may cast (or replace) a ballot now, and its weight.
 *
 * The weight is the highest weight among the member's eligible tiers now. When late joiners are
 * not allowed, eligibility is frozen at opening: the member must have held an eligible tier then,
 * and the weight is also capped at what their tiers at opening gave them, so upgrading mid-poll buys
 * no extra say (downgrading lowers it: the weight follows what the member still pays for).
 * In a budget poll the weight is the member's points, by the same rule (the tiers' weights are not
 * used: the points are the weighting).
 */
export function canVote(input: {
  poll: Pick<Poll, "closesAt" | "eligibility" | "weights" | "allowLateJoiners"> & {
    mode?: PollMode;
    budget?: PollBudget | null;
  };
  voter: Voter;
  now: Date;
}): VoteEligibility {
  const { poll, voter, now } = input;
  if (now.getTime() >= poll.closesAt.getTime()) return { ok: false, error: "vote_closed" };

  const wasMember = voter.tierIdsAtOpen !== null && voter.tierIdsAtOpen.length > 0;
  if (voter.tierIdsNow.length === 0) {
    // A member who stopped paying loses their say, even on a poll they could vote in at opening.
    return { ok: false, error: wasMember ? "vote_lapsed" : "vote_not_member" };
  }

  const eligibleNow = eligibleTiers(poll, voter.tierIdsNow);
  if (eligibleNow.length === 0) return { ok: false, error: "vote_tier_not_allowed" };
  const weightNow = highestWeight(poll, eligibleNow);
  if (poll.allowLateJoiners) return { ok: true, weight: weightNow };

  const eligibleAtOpen = eligibleTiers(poll, voter.tierIdsAtOpen ?? []);
  if (eligibleAtOpen.length === 0) return { ok: false, error: "vote_joined_after_open" };
  return { ok: true, weight: Math.min(weightNow, highestWeight(poll, eligibleAtOpen)) };
}

// ---------------------------------------------------------------------------------------------------
// One ballot per member

export interface BallotStamp {
  id: string;
  /** The member, not the platform account: a member linked on Discord and Telegram votes once. */
  memberId: string;
  at: Date;
}

/**
 * The ballot that counts for each member: the latest by time; on equal times the greater id (in
 * code-unit order) wins, so the answer never depends on the order the rows were read in.
 * Returned sorted by member id.
 */
export function latestBallots<B extends BallotStamp>(ballots: readonly B[]): B[] {
  const latest = new Map<string, B>();
  for (const b of ballots) {
    const held = latest.get(b.memberId);
    if (!held) {
      latest.set(b.memberId, b);
      continue;
    }
    const dt = b.at.getTime() - held.at.getTime();
    if (dt > 0 || (dt === 0 && compareText(b.id, held.id) > 0)) latest.set(b.memberId, b);
  }
  return [...latest.values()].sort((a, b) => compareText(a.memberId, b.memberId));
}

/**
 * The ballots that count: each member's latest (latestBallots), except a cleared one (no choice):
 * a member who cleared their ballot has no say until they vote again.
 */
export function countedBallots<B extends BallotStamp & BallotChoices>(ballots: readonly B[]): B[] {
  return latestBallots(ballots).filter((b) => b.choices.length > 0);
}

// ---------------------------------------------------------------------------------------------------
// Tallies

/** A counted ballot: its choices and the weight canVote gave it. Pass latestBallots' output. */
export interface WeightedBallot extends BallotChoices {
  weight: number;
}

interface TallyTotals {
  /** Sum of the weights of the ballots counted. */
  totalWeight: number;
  /** Ballots counted (one per member when fed latestBallots' output). */
  totalVoters: number;
  /** Ballots skipped because validateBallot refuses them (should be 0: they are checked on entry). */
  invalid: number;
}

export interface CountTally extends TallyTotals {
  mode: "single" | "approval" | "budget";
  /** Weight per option (budget: points per option), indexed like poll.options. */
  counts: number[];
  /** Every option with the highest count (several on a tie); empty when nobody voted. */
  winners: number[];
  tie: boolean;
}

export interface IrvRound {
  /** Weight of each continuing option, in the poll's option order. */
  counts: { option: number; weight: number }[];
  /** Weight of ballots still ranking a continuing option: the base of the majority. */
  continuingWeight: number;
  /** Weight of ballots whose every ranked option has been eliminated. */
  exhausted: number;
  /** Options eliminated at the end of this round (empty in the last round). */
  eliminated: number[];
}

export interface RankedTally extends TallyTotals {
  mode: "ranked";
  rounds: IrvRound[];
  /** The winner, or every option tied at the end; empty when nobody voted. */
  winners: number[];
  tie: boolean;
}

export type Tally = CountTally | RankedTally;

function validOnly(
  poll: Pick<Poll, "mode" | "options"> & { budget?: PollBudget | null },
  ballots: readonly WeightedBallot[],
): { counted: WeightedBallot[]; invalid: number } {
  const counted = ballots.filter((b) => validateBallot(poll, b, b.weight).ok);
  return { counted, invalid: ballots.length - counted.length };
}

function sumWeights(ballots: readonly WeightedBallot[]): number {
  return ballots.reduce((s, b) => s + b.weight, 0);
}

/**
 * Plurality (single) or approval: each chosen option gets the voter's full weight; budget: each
 * option the points given to it. The highest count wins; equal highest counts are all reported, as a
 * tie, for the creator to settle.
 */
function tallyCounts(
  poll: Pick<Poll, "mode" | "options"> & { budget?: PollBudget | null },
  ballots: readonly WeightedBallot[],
): CountTally {
  const mode = poll.mode === "approval" || poll.mode === "budget" ? poll.mode : "single";
  const { counted, invalid } = validOnly(
    { mode, options: poll.options, budget: poll.budget ?? null },
    ballots,
  );
  // A budget ballot names an option once per point given to it; its weight is the points its member
  // owned, not a multiplier.
  const per = (b: WeightedBallot) => (mode === "budget" ? 1 : b.weight);
  const counts = poll.options.map(() => 0);
  for (const b of counted) for (const c of b.choices) counts[c] = (counts[c] ?? 0) + per(b);
  const totalWeight = mode === "budget" ? counts.reduce((sum, n) => sum + n, 0) : sumWeights(counted);
  const top = Math.max(...counts);
  const winners = totalWeight > 0 ? counts.flatMap((n, i) => (n === top ? [i] : [])) : [];
  return {
    mode,
    counts,
    winners,
    tie: winners.length > 1,
    totalWeight,
    totalVoters: counted.length,
    invalid,
  };
}

export function tallySingle(poll: Pick<Poll, "options">, ballots: readonly WeightedBallot[]): CountTally {
  return tallyCounts({ mode: "single", options: poll.options }, ballots);
}

export function tallyApproval(poll: Pick<Poll, "options">, ballots: readonly WeightedBallot[]): CountTally {
  return tallyCounts({ mode: "approval", options: poll.options }, ballots);
}

/**
 * Budget: each option gets the sum of the points given to it (a ballot's weight is the points its
 * member owned, not a multiplier). totalWeight is the points cast. The most points wins; equal
 * highest are all reported, as a tie. A ballot over its member's points or the cap is not counted.
 */
export function tallyBudget(
  poll: Pick<Poll, "options"> & { budget?: PollBudget | null },
  ballots: readonly WeightedBallot[],
): CountTally {
  return tallyCounts({ mode: "budget", options: poll.options, budget: poll.budget ?? null }, ballots);
}

/**
 * Instant-runoff, weighted. Each round, a ballot counts for its highest-ranked continuing option;
 * a ballot with none left is exhausted and leaves the base. An option holding more than half of the
 * continuing weight wins.
 *
 * Tie rule: when several options share the lowest count, they are all eliminated together (no
 * random draw and no look-back to earlier rounds, so the result is reproducible from the ballots
 * alone). If that would eliminate every continuing option — they all have the same count, e.g. a
 * 50/50 final — nobody is eliminated and those options are declared tied winners (tie: true).
 * Since only the lowest are removed, the survivors each held weight, so the base never empties.
 */
export function tallyRanked(poll: Pick<Poll, "options">, ballots: readonly WeightedBallot[]): RankedTally {
  const { counted, invalid } = validOnly({ mode: "ranked", options: poll.options }, ballots);
  const totalWeight = sumWeights(counted);
  const totals = { totalWeight, totalVoters: counted.length, invalid };
  const continuing = poll.options.map(() => true);
  const rounds: IrvRound[] = [];

  for (;;) {
    const weightOf = poll.options.map(() => 0);
    let exhausted = 0;
    for (const b of counted) {
      const top = b.choices.find((c) => continuing[c]);
      if (top === undefined) exhausted += b.weight;
      else weightOf[top] = (weightOf[top] ?? 0) + b.weight;
    }
    const alive = poll.options.flatMap((_, i) => (continuing[i] ? [i] : []));
    const counts = alive.map((option) => ({ option, weight: weightOf[option] ?? 0 }));
    const continuingWeight = totalWeight - exhausted;
    const round: IrvRound = { counts, continuingWeight, exhausted, eliminated: [] };
    rounds.push(round);

    if (continuingWeight === 0) return { mode: "ranked", rounds, winners: [], tie: false, ...totals };
    const majority = counts.find((c) => c.weight * 2 > continuingWeight);
    if (majority) return { mode: "ranked", rounds, winners: [majority.option], tie: false, ...totals };

    const lowest = Math.min(...counts.map((c) => c.weight));
    const last = counts.filter((c) => c.weight === lowest).map((c) => c.option);
    if (last.length === counts.length) return { mode: "ranked", rounds, winners: last, tie: true, ...totals };
    round.eliminated = last;
    for (const o of last) continuing[o] = false;
  }
}

/** The tally the poll's mode calls for. */
export function tallyPoll(
  poll: Pick<Poll, "mode" | "options"> & { budget?: PollBudget | null },
  ballots: readonly WeightedBallot[],
): Tally {
  switch (poll.mode) {
    case "single":
      return tallySingle(poll, ballots);
    case "approval":
      return tallyApproval(poll, ballots);
    case "ranked":
      return tallyRanked(poll, ballots);
    case "budget":
      return tallyBudget(poll, ballots);
  }
}

// ---------------------------------------------------------------------------------------------------
// Export

export interface BallotCsvRow {
  memberId: string;
  platform: Platform;
  /** Option indexes: the pick, the approved set, or best-first. */
  choices: readonly number[];
  weight: number;
  at: Date;
}

/**
 * The ballots as RFC 4180 CSV (CRLF line ends), for the creator to audit or archive. Rows keep the
 * caller's order. An index with no option (a bug upstream) is written as "#<index>" rather than
 * failing the whole export. Option labels can be fans' words (idea titles): every cell goes through
 * csvCell (src/core/csv.ts), so none runs as a formula in the creator's spreadsheet. A budget ballot
 * reads "3 × A + 2 × C" (points per option, in option order) and its weight is the points owned.
 */
export function ballotsToCsv(poll: Pick<Poll, "mode" | "options">, rows: readonly BallotCsvRow[]): string {
  const joiner = poll.mode === "ranked" ? " > " : " + ";
  const lines = [["member", "platform", "choice", "weight", "time"]];
  for (const r of rows) {
    const choice =
      poll.mode === "budget"
        ? budgetCells(poll.options, r.choices).join(joiner)
        : r.choices.map((c) => poll.options[c] ?? `#${c}`).join(joiner);
    lines.push([r.memberId, r.platform, choice, String(r.weight), r.at.toISOString()]);
  }
  return lines.map((fields) => csvRecord(fields)).join("");
}

/** A budget ballot in words: "3 × A + 2 × C" (empty when it gives no point). */
export function allocationLabel(options: readonly string[], choices: readonly number[]): string {
  return budgetCells(options, choices).join(" + ");
}

/** "3 × A", per option given points, in option order (an unknown index as "#<index>"). */
function budgetCells(options: readonly string[], choices: readonly number[]): string[] {
  const points = new Map<number, number>();
  for (const c of choices) points.set(c, (points.get(c) ?? 0) + 1);
  return [...points].sort(([a], [b]) => a - b).map(([c, n]) => `${n} × ${options[c] ?? `#${c}`}`);
}
