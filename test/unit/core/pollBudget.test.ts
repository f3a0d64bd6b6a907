import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseBudget } from "../../../src/core/pollInput.ts";
import {
  allocationChoices,
  ballotAllocation,
  ballotsToCsv,
  canVote,
  editBallot,
  type Poll,
  type PollInput,
  pointsOfTier,
  tallyBudget,
  tallyPoll,
  validateBallot,
  validatePoll,
} from "../../../src/core/polls.ts";
import { parseCsv } from "../../support/csv.ts";

const now = new Date("2026-11-23T12:00:00Z");
const HOUR = 60 * 60 * 1000;

function input(over: Partial<PollInput> = {}): PollInput {
  return {
    question: "What do we fund?",
    options: ["Album", "Tour", "Documentary"],
    closesAt: new Date(now.getTime() + 24 * HOUR),
    mode: "budget",
    eligibility: { kind: "all" },
    budget: { points: { gold: 10, silver: 5 } },
    ...over,
  };
}

function budgetPoll(maxPerOption: number | null = null): Poll {
  const checked = validatePoll(input({ budget: { points: { gold: 10, silver: 5 }, maxPerOption } }), now);
  if (!checked.ok) throw new Error(checked.error);
  return checked.poll;
}

describe("budget poll definition", () => {
  it("GIVEN points per tier THEN unlisted tiers get the lowest listed, and there is no cap by default", () => {
    const poll = budgetPoll();
    expect(poll.mode).toBe("budget");
    expect(poll.budget).toEqual({ defaultPoints: 5, points: { gold: 10, silver: 5 }, maxPerOption: null });
    expect(pointsOfTier(poll.budget!, "gold")).toBe(10);
    expect(pointsOfTier(poll.budget!, "bronze")).toBe(5);
    // A tier id that is an Object.prototype member is just an unlisted tier.
    expect(pointsOfTier(poll.budget!, "constructor")).toBe(5);
  });

  it("GIVEN one number for every tier THEN every tier gets it", () => {
    const checked = validatePoll(input({ budget: { defaultPoints: 7, maxPerOption: 3 } }), now);
    expect(checked.ok && checked.poll.budget).toEqual({ defaultPoints: 7, points: {}, maxPerOption: 3 });
  });

  it.each([
    [{ budget: null }, "poll_budget_missing", undefined],
    [{ budget: { points: {} } }, "poll_budget_missing", undefined],
    [{ budget: { points: { gold: 0 } } }, "poll_budget_points_invalid", "gold"],
    [{ budget: { points: { gold: 101 } } }, "poll_budget_points_invalid", "gold"],
    [{ budget: { points: { gold: 2.5 } } }, "poll_budget_points_invalid", "gold"],
    [{ budget: { points: { gold: 5 }, defaultPoints: 0 } }, "poll_budget_points_invalid", undefined],
    [{ budget: { defaultPoints: 5, maxPerOption: 0 } }, "poll_budget_cap_invalid", undefined],
    [{ budget: { defaultPoints: 5, maxPerOption: 1.5 } }, "poll_budget_cap_invalid", undefined],
    [{ budget: { defaultPoints: 5 }, weights: { gold: 2 } }, "poll_budget_weights", undefined],
    [{ mode: "approval" as const, budget: { defaultPoints: 5 } }, "poll_budget_not_budget_mode", undefined],
    [{ options: ["Only one"] }, "poll_too_few_options", undefined],
  ])("GIVEN %j THEN it is refused as %s", (over, error, tierId) => {
    const checked = validatePoll(input(over as Partial<PollInput>), now);
    expect(checked.ok).toBe(false);
    if (!checked.ok) {
      expect(checked.error).toBe(error);
      expect(checked.tierId).toBe(tierId);
    }
  });

  it("GIVEN another mode without budget THEN its poll has none", () => {
    const checked = validatePoll(input({ mode: "single", budget: null }), now);
    expect(checked.ok && checked.poll.budget).toBeNull();
  });
});

describe("a member's points", () => {
  const poll = budgetPoll();
  const closesAt = poll.closesAt;

  it("GIVEN several eligible tiers THEN the highest tier's points, never multiplied by a weight", () => {
    const v = canVote({
      poll,
      voter: { tierIdsAtOpen: ["silver", "gold"], tierIdsNow: ["silver", "gold"] },
      now,
    });
    expect(v).toEqual({ ok: true, weight: 10 });
  });

  it("GIVEN an upgrade after the freeze THEN the points stay those of the tier held at opening", () => {
    const v = canVote({ poll, voter: { tierIdsAtOpen: ["silver"], tierIdsNow: ["gold"] }, now });
    expect(v).toEqual({ ok: true, weight: 5 });
  });

  it("GIVEN a member who joined after opening THEN no points", () => {
    const v = canVote({ poll, voter: { tierIdsAtOpen: null, tierIdsNow: ["gold"] }, now });
    expect(v).toEqual({ ok: false, error: "vote_joined_after_open" });
    expect(
      canVote({ poll, voter: { tierIdsAtOpen: ["gold"], tierIdsNow: ["gold"] }, now: closesAt }).ok,
    ).toBe(false);
  });
});

describe("budget ballots", () => {
  it("GIVEN an allocation THEN it is stored as one index per point, ascending, and read back", () => {
    const poll = budgetPoll();
    const r = editBallot(poll, [], { kind: "allocate", points: [2, 0, 3] }, 5);
    expect(r).toEqual({ ok: true, choices: [0, 0, 2, 2, 2] });
    expect(ballotAllocation(3, [2, 0, 2, 0, 2])).toEqual([2, 0, 3]);
    expect(allocationChoices([0, 1, 2])).toEqual([1, 2, 2]);
  });

  it("GIVEN more points than owned THEN ballot_over_budget; exactly the points THEN fine", () => {
    const poll = budgetPoll();
    expect(editBallot(poll, [], { kind: "allocate", points: [3, 3, 0] }, 5)).toEqual({
      ok: false,
      error: "ballot_over_budget",
    });
    expect(editBallot(poll, [], { kind: "allocate", points: [3, 2, 0] }, 5).ok).toBe(true);
    expect(validateBallot(poll, { choices: [0, 0, 0, 1, 1, 1] }, 5)).toEqual({
      ok: false,
      error: "ballot_over_budget",
    });
  });

  it("GIVEN a cap per option THEN more on one option is refused, even within the member's points", () => {
    const poll = budgetPoll(3);
    expect(editBallot(poll, [], { kind: "allocate", points: [4, 0, 0] }, 10)).toEqual({
      ok: false,
      error: "ballot_over_option_cap",
    });
    expect(editBallot(poll, [], { kind: "allocate", points: [3, 3, 3] }, 10).ok).toBe(true);
  });

  it("GIVEN forged allocations THEN refused: negative, fractional, too many options, none, or another mode", () => {
    const poll = budgetPoll();
    expect(editBallot(poll, [], { kind: "allocate", points: [-1, 3, 0] }, 10)).toEqual({
      ok: false,
      error: "ballot_points_invalid",
    });
    expect(editBallot(poll, [], { kind: "allocate", points: [0.5, 1, 0] }, 10).ok).toBe(false);
    expect(editBallot(poll, [], { kind: "allocate", points: [1, 1, 1, 1] }, 10)).toEqual({
      ok: false,
      error: "ballot_unknown_option",
    });
    expect(editBallot(poll, [], { kind: "allocate", points: [0, 0, 0] }, 10)).toEqual({
      ok: false,
      error: "ballot_empty",
    });
    expect(editBallot({ ...poll, mode: "approval" }, [], { kind: "allocate", points: [1, 0, 0] })).toEqual({
      ok: false,
      error: "ballot_unknown_option",
    });
    expect(validateBallot(poll, { choices: [0, 3] }, 10)).toEqual({
      ok: false,
      error: "ballot_unknown_option",
    });
  });
});

describe("budget step-by-step edits", () => {
  it("GIVEN +1 and -1 presses THEN the stored ballot follows, refused past the points or the cap", () => {
    const poll = budgetPoll(2);
    let choices: number[] = [];
    for (const option of [0, 2, 0]) {
      const r = editBallot(poll, choices, { kind: "adjust", option, delta: 1 }, 3);
      if (!r.ok) throw new Error(r.error);
      choices = r.choices;
    }
    expect(choices).toEqual([0, 0, 2]);
    expect(editBallot(poll, choices, { kind: "adjust", option: 1, delta: 1 }, 3)).toEqual({
      ok: false,
      error: "ballot_over_budget",
    });
    expect(editBallot(poll, choices, { kind: "adjust", option: 0, delta: 1 }, 10)).toEqual({
      ok: false,
      error: "ballot_over_option_cap",
    });
    expect(editBallot(poll, choices, { kind: "adjust", option: 0, delta: -1 }, 3)).toEqual({
      ok: true,
      choices: [0, 2],
    });
    // Less on an option at 0 changes nothing; taking back the last point empties the ballot.
    expect(editBallot(poll, [2], { kind: "adjust", option: 1, delta: -1 }, 3)).toEqual({
      ok: true,
      choices: [2],
    });
    expect(editBallot(poll, [2], { kind: "adjust", option: 2, delta: -1 }, 3)).toEqual({
      ok: true,
      choices: [],
    });
  });

  it("GIVEN forged steps THEN refused: unknown option, a delta other than ±1, another mode", () => {
    const poll = budgetPoll();
    expect(editBallot(poll, [], { kind: "adjust", option: 3, delta: 1 }, 5).ok).toBe(false);
    expect(editBallot(poll, [], { kind: "adjust", option: 0, delta: 5 as 1 }, 5).ok).toBe(false);
    expect(editBallot({ ...poll, mode: "single" }, [], { kind: "adjust", option: 0, delta: 1 }).ok).toBe(
      false,
    );
  });
});

describe("budget tally", () => {
  it("GIVEN ballots THEN each option gets the sum of its points, the most points wins", () => {
    const poll = budgetPoll();
    const tally = tallyPoll(poll, [
      { choices: allocationChoices([10, 0, 0]), weight: 10 },
      { choices: allocationChoices([1, 4, 0]), weight: 5 },
      { choices: allocationChoices([0, 3, 7]), weight: 10 },
    ]);
    expect(tally).toEqual({
      mode: "budget",
      counts: [11, 7, 7],
      winners: [0],
      tie: false,
      totalWeight: 25,
      totalVoters: 3,
      invalid: 0,
    });
  });

  it("GIVEN a ballot over its member's points or the cap THEN it is not counted", () => {
    const poll = budgetPoll(4);
    const tally = tallyBudget(poll, [
      { choices: allocationChoices([3, 3, 0]), weight: 5 },
      { choices: allocationChoices([5, 0, 0]), weight: 10 },
      { choices: allocationChoices([2, 2, 0]), weight: 5 },
    ]);
    expect(tally.counts).toEqual([2, 2, 0]);
    expect(tally).toMatchObject({ invalid: 2, totalVoters: 1, winners: [0, 1], tie: true });
  });

  it("GIVEN any valid ballots THEN the tally equals a direct sum of the allocations", () => {
    const poll = budgetPoll();
    const alloc = fc
      .array(fc.integer({ min: 0, max: 4 }), { minLength: 3, maxLength: 3 })
      .filter((a) => a.some((n) => n > 0));
    fc.assert(
      fc.property(fc.array(alloc, { maxLength: 20 }), (allocations) => {
        const ballots = allocations.map((a) => ({ choices: allocationChoices(a), weight: 12 }));
        const expected = [0, 1, 2].map((i) => allocations.reduce((s, a) => s + (a[i] ?? 0), 0));
        const tally = tallyBudget(poll, ballots);
        expect(tally.counts).toEqual(expected);
        expect(tally.totalWeight).toBe(expected.reduce((s, n) => s + n, 0));
      }),
    );
  });
});

describe("budget CSV", () => {
  it("GIVEN budget ballots THEN each row shows the points per option and the points owned, injection-safe", () => {
    const poll = { mode: "budget" as const, options: ["=HYPERLINK(1)", "Tour", "Doc"] };
    const csv = ballotsToCsv(poll, [
      {
        memberId: "m1",
        platform: "discord",
        choices: [0, 0, 2],
        weight: 5,
        at: new Date("2026-11-23T13:00:00Z"),
      },
    ]);
    const rows = parseCsv(csv);
    // The cell starts with the points, never with a fan's label: no spreadsheet reads it as a formula.
    expect(rows[1]).toEqual([
      "m1",
      "discord",
      "2 × =HYPERLINK(1) + 1 × Doc",
      "5",
      "2026-11-23T13:00:00.000Z",
    ]);
  });
});

describe("budget as typed", () => {
  it.each([
    ["", { ok: true, value: null }],
    ["5", { ok: true, value: { points: [], defaultPoints: 5 } }],
    [
      "gold=10, silver:5",
      {
        ok: true,
        value: {
          points: [
            { tier: "gold", points: 10 },
            { tier: "silver", points: 5 },
          ],
        },
      },
    ],
    ["gold=10 3", { ok: true, value: { points: [{ tier: "gold", points: 10 }], defaultPoints: 3 } }],
    ["gold=ten", { ok: false, code: "input_budget_invalid", params: { part: "gold=ten" } }],
    ["3, 4", { ok: false, code: "input_budget_invalid", params: { part: "4" } }],
    ["gold=0", { ok: false, code: "poll_budget_points_invalid", params: { tier: "gold" } }],
    ["101", { ok: false, code: "poll_budget_points_invalid", params: { tier: "" } }],
    ["gold=2.5", { ok: false, code: "poll_budget_points_invalid", params: { tier: "gold" } }],
  ])("GIVEN %j THEN %j", (raw, expected) => {
    expect(parseBudget(raw)).toEqual(expected);
  });
});
