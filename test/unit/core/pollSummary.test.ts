import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { optionLabel, summarizeTally } from "../../../src/core/pollSummary.ts";
import { tallyApproval, tallyRanked, tallySingle, type WeightedBallot } from "../../../src/core/polls.ts";

const options = ["Album", "Tour", "Documentary"];
const [A, B, C] = [0, 1, 2];
const ballot = (choices: number[], weight = 1): WeightedBallot => ({ choices, weight });

describe("summarizeTally", () => {
  it("GIVEN a weighted single-choice tally THEN one row per option: weight, share, the winner", () => {
    const s = summarizeTally(options, tallySingle({ options }, [ballot([A], 2), ballot([B]), ballot([B])]));
    expect(s.rows).toEqual([
      { option: A, label: "Album", weight: 2, percent: 50, winner: true },
      { option: B, label: "Tour", weight: 2, percent: 50, winner: true },
      { option: C, label: "Documentary", weight: 0, percent: 0, winner: false },
    ]);
    // 2 against 2: a tie, both marked, in the poll's order.
    expect(s.outcome).toEqual({ kind: "tie", options: [A, B], labels: ["Album", "Tour"] });
    expect(s).toMatchObject({ mode: "single", firstChoices: false, totalWeight: 4, voters: 3, rounds: [] });
  });

  it("GIVEN one clear winner THEN the outcome names it and only its row is marked", () => {
    const s = summarizeTally(options, tallySingle({ options }, [ballot([C], 3), ballot([A])]));
    expect(s.outcome).toEqual({ kind: "winner", option: C, label: "Documentary" });
    expect(s.rows.map((r) => r.winner)).toEqual([false, false, true]);
    expect(s.rows.map((r) => r.percent)).toEqual([25, 0, 75]);
  });

  it("GIVEN nobody voted THEN no votes, every share 0", () => {
    const s = summarizeTally(options, tallySingle({ options }, []));
    expect(s.outcome).toEqual({ kind: "no_votes" });
    expect(s.rows.map((r) => [r.weight, r.percent, r.winner])).toEqual([
      [0, 0, false],
      [0, 0, false],
      [0, 0, false],
    ]);
    expect(s.totalWeight).toBe(0);
  });

  it("GIVEN approval THEN shares are of all approvals (a voter approving two options counts in both)", () => {
    const s = summarizeTally(options, tallyApproval({ options }, [ballot([A, B]), ballot([A])]));
    expect(s.rows.map((r) => [r.weight, r.percent])).toEqual([
      [2, 67],
      [1, 33],
      [0, 0],
    ]);
    expect(s.outcome).toEqual({ kind: "winner", option: A, label: "Album" });
  });

  it("GIVEN a ranked poll won in the first round THEN the rows are first choices and no round is shown", () => {
    const s = summarizeTally(
      options,
      tallyRanked({ options }, [ballot([A, B]), ballot([A, C]), ballot([B])]),
    );
    expect(s.firstChoices).toBe(true);
    expect(s.rows.map((r) => r.weight)).toEqual([2, 1, 0]);
    expect(s.outcome).toEqual({ kind: "winner", option: A, label: "Album" });
    expect(s.rounds).toEqual([]);
  });

  it("GIVEN a ranked poll decided in a later round THEN every round is shown, with who was eliminated", () => {
    // First choices A 2, B 2, C 1: C is out; its voter's next choice is B → B 3, A 2.
    const ballots = [ballot([A]), ballot([A]), ballot([B]), ballot([B]), ballot([C, B])];
    const s = summarizeTally(options, tallyRanked({ options }, ballots));
    expect(s.rows.map((r) => r.weight)).toEqual([2, 2, 1]);
    expect(s.outcome).toEqual({ kind: "winner", option: B, label: "Tour" });
    expect(s.rounds).toEqual([
      {
        n: 1,
        counts: [
          { option: A, label: "Album", weight: 2 },
          { option: B, label: "Tour", weight: 2 },
          { option: C, label: "Documentary", weight: 1 },
        ],
        eliminated: [{ option: C, label: "Documentary" }],
      },
      {
        n: 2,
        counts: [
          { option: A, label: "Album", weight: 2 },
          { option: B, label: "Tour", weight: 3 },
        ],
        eliminated: [],
      },
    ]);
  });

  it("GIVEN a ranked tie at the end THEN the outcome is a tie", () => {
    const s = summarizeTally(options, tallyRanked({ options }, [ballot([A]), ballot([B])]));
    expect(s.outcome).toEqual({ kind: "tie", options: [A, B], labels: ["Album", "Tour"] });
    // C had no first choice: eliminated after round 1, then A and B tie: two rounds, both shown.
    expect(s.rounds.map((r) => r.n)).toEqual([1, 2]);
  });

  it("GIVEN an option index with no label (a bug upstream) THEN it reads #n, never undefined", () => {
    expect(optionLabel(options, 5)).toBe("#6");
    const s = summarizeTally(["Only"], {
      ...tallySingle({ options: ["Only"] }, [ballot([0])]),
      winners: [1],
    });
    expect(s.outcome).toEqual({ kind: "winner", option: 1, label: "#2" });
  });

  it("PROPERTY: one row per option; shares within a point of 100 when anyone voted; winners are the tally's", () => {
    const weighted = fc.record({
      choices: fc.uniqueArray(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 3 }),
      weight: fc.integer({ min: 1, max: 10 }),
    });
    fc.assert(
      fc.property(
        fc.constantFrom("single", "approval", "ranked" as const),
        fc.array(weighted, { maxLength: 12 }),
        (mode, raw) => {
          const ballots =
            mode === "single" ? raw.map((b) => ({ ...b, choices: b.choices.slice(0, 1) })) : raw;
          const tally =
            mode === "ranked"
              ? tallyRanked({ options }, ballots)
              : mode === "approval"
                ? tallyApproval({ options }, ballots)
                : tallySingle({ options }, ballots);
          const s = summarizeTally(options, tally);
          expect(s.rows.map((r) => r.option)).toEqual([A, B, C]);
          const sum = s.rows.reduce((a, r) => a + r.percent, 0);
          if (s.totalWeight > 0) expect(Math.abs(sum - 100)).toBeLessThanOrEqual(2);
          else expect(sum).toBe(0);
          expect(s.rows.filter((r) => r.winner).map((r) => r.option)).toEqual(tally.winners);
          expect(s.outcome.kind).toBe(
            tally.winners.length === 0 ? "no_votes" : tally.winners.length > 1 ? "tie" : "winner",
          );
          if (tally.mode === "ranked")
            expect(s.rounds.length).toBe(tally.rounds.length > 1 ? tally.rounds.length : 0);
          else expect(s.rounds).toEqual([]);
        },
      ),
    );
  });
});
