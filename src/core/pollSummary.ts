/**
 * What a poll's tally says, ready to show: one row per option (its weighted votes and share), who
 * leads or won (or the tie), and the instant-runoff rounds. Computed once here; each platform only
 * turns it into its own message (Discord embed, Telegram text), so both always say the same.
 *
 * Pure: no I/O. Every rule is checked in test/unit/core/pollSummary.test.ts.
 */
import type { PollMode, Tally } from "./polls.ts";

export interface SummaryRow {
  /** Index in poll.options. */
  option: number;
  label: string;
  /** Weighted votes: the sum of the weights of the ballots for it (a ranked poll: first choices). */
  weight: number;
  /** Share of all the rows' weight, rounded to a whole percent; 0 when nobody voted. */
  percent: number;
  /** One of the tally's winners (leading, while the poll is open). */
  winner: boolean;
}

export interface SummaryRound {
  /** 1 for the first round. */
  n: number;
  /** The continuing options, in the poll's option order. */
  counts: { option: number; label: string; weight: number }[];
  /** Options eliminated at the end of the round (none in the last round). */
  eliminated: { option: number; label: string }[];
}

export type SummaryOutcome =
  | { kind: "no_votes" }
  | { kind: "winner"; option: number; label: string }
  | { kind: "tie"; options: number[]; labels: string[] };

export interface PollSummary {
  mode: PollMode;
  /** Every option, in the poll's order. */
  rows: SummaryRow[];
  /** The rows hold first choices (a ranked poll), not whole ballots. */
  firstChoices: boolean;
  /** Sum of the rows' weight (the base of the percentages). */
  totalWeight: number;
  /** Ballots counted: one per member. */
  voters: number;
  outcome: SummaryOutcome;
  /**
   * The instant-runoff rounds, shown only when there was more than one: a single round says no more
   * than the rows do (its winner had a majority of first choices). Empty otherwise, and for the
   * other modes.
   */
  rounds: SummaryRound[];
}

/** An option's label; an index with no option (a bug upstream) reads "#n" rather than failing. */
export function optionLabel(options: readonly string[], index: number): string {
  return options[index] ?? `#${index + 1}`;
}

function percentOf(part: number, total: number): number {
  return total > 0 ? Math.round((part * 100) / total) : 0;
}

export function summarizeTally(options: readonly string[], tally: Tally): PollSummary {
  const label = (i: number) => optionLabel(options, i);
  let weights: number[];
  if (tally.mode === "ranked") {
    weights = options.map(() => 0);
    for (const c of tally.rounds[0]?.counts ?? []) weights[c.option] = c.weight;
  } else {
    weights = options.map((_, i) => tally.counts[i] ?? 0);
  }
  const totalWeight = weights.reduce((a, b) => a + b, 0);
  const rows = weights.map((weight, option) => ({
    option,
    label: label(option),
    weight,
    percent: percentOf(weight, totalWeight),
    winner: tally.winners.includes(option),
  }));

  let outcome: SummaryOutcome;
  if (tally.winners.length === 0) outcome = { kind: "no_votes" };
  else if (tally.winners.length > 1)
    outcome = { kind: "tie", options: [...tally.winners], labels: tally.winners.map(label) };
  else outcome = { kind: "winner", option: tally.winners[0]!, label: label(tally.winners[0]!) };

  const rounds =
    tally.mode === "ranked" && tally.rounds.length > 1
      ? tally.rounds.map((round, i) => ({
          n: i + 1,
          counts: round.counts.map((c) => ({ option: c.option, label: label(c.option), weight: c.weight })),
          eliminated: round.eliminated.map((option) => ({ option, label: label(option) })),
        }))
      : [];

  return {
    mode: tally.mode,
    rows,
    firstChoices: tally.mode === "ranked",
    totalWeight,
    voters: tally.totalVoters,
    outcome,
    rounds,
  };
}
