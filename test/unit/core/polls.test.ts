import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type BallotEdit,
  ballotsToCsv,
  canVote,
  countedBallots,
  editBallot,
  latestBallots,
  MAX_OPEN_MS,
  MIN_OPEN_MS,
  type Poll,
  type PollInput,
  type RankedTally,
  resultsVisible,
  tallyApproval,
  tallyPoll,
  tallyRanked,
  tallySingle,
  type Voter,
  validateBallot,
  validatePoll,
  type WeightedBallot,
} from "../../../src/core/polls.ts";
import { parseCsv } from "../../support/csv.ts";

const now = new Date("2026-11-23T12:00:00Z");
const HOUR = 60 * 60 * 1000;
const at = (ms: number) => new Date(now.getTime() + ms);

function input(over: Partial<PollInput> = {}): PollInput {
  return {
    question: "What next?",
    options: ["Album", "Tour", "Documentary"],
    closesAt: at(24 * HOUR),
    mode: "single",
    eligibility: { kind: "all" },
    ...over,
  };
}

function poll(over: Partial<Poll> = {}): Poll {
  return {
    question: "What next?",
    options: ["A", "B", "C"],
    opensAt: now,
    closesAt: at(24 * HOUR),
    mode: "single",
    eligibility: { kind: "all" },
    weights: {},
    hideResultsUntilClose: false,
    allowLateJoiners: false,
    budget: null,
    ...over,
  };
}

/** `n` identical ballots of weight 1. */
function times(n: number, choices: number[], weight = 1): WeightedBallot[] {
  return Array.from({ length: n }, () => ({ choices, weight }));
}

const [A, B, C, D] = [0, 1, 2, 3];

describe("validatePoll", () => {
  it("GIVEN a well-formed poll THEN it is accepted, trimmed, opened now, with defaults", () => {
    const r = validatePoll(
      input({ question: "  What next?  ", options: [" Album ", "Tour"], mode: "approval" }),
      now,
    );
    expect(r).toEqual({
      ok: true,
      poll: {
        question: "What next?",
        options: ["Album", "Tour"],
        opensAt: now,
        closesAt: at(24 * HOUR),
        mode: "approval",
        eligibility: { kind: "all" },
        weights: {},
        hideResultsUntilClose: false,
        allowLateJoiners: false,
        budget: null,
      },
    });
  });

  it.each([
    ["an empty question", ""],
    ["a blank question", "   "],
    ["a 301-character question", "x".repeat(301)],
  ])("GIVEN %s THEN poll_question_invalid", (_, question) => {
    expect(validatePoll(input({ question }), now)).toEqual({ ok: false, error: "poll_question_invalid" });
  });

  it("GIVEN a 300-character question (emoji count once) THEN accepted", () => {
    expect(validatePoll(input({ question: "🎸".repeat(300) }), now).ok).toBe(true);
  });

  it("GIVEN one option THEN poll_too_few_options", () => {
    expect(validatePoll(input({ options: ["Album"] }), now)).toEqual({
      ok: false,
      error: "poll_too_few_options",
    });
  });

  it("GIVEN eleven options THEN poll_too_many_options; ten are fine", () => {
    const labels = Array.from({ length: 11 }, (_, i) => `Option ${i}`);
    expect(validatePoll(input({ options: labels }), now)).toEqual({
      ok: false,
      error: "poll_too_many_options",
    });
    expect(validatePoll(input({ options: labels.slice(0, 10) }), now).ok).toBe(true);
  });

  it.each([
    ["an empty option", ["Album", ""], 1],
    ["a blank option", ["  ", "Album"], 0],
    ["a 101-character option", ["Album", "Tour", "y".repeat(101)], 2],
  ])("GIVEN %s THEN poll_option_invalid, pointing at it", (_, options, index) => {
    expect(validatePoll(input({ options }), now)).toEqual({
      ok: false,
      error: "poll_option_invalid",
      option: index,
    });
  });

  it("GIVEN a 100-character option THEN accepted", () => {
    expect(validatePoll(input({ options: ["z".repeat(100), "Tour"] }), now).ok).toBe(true);
  });

  it.each([
    ["the same label", ["Album", "Tour", "Album"], 2],
    ["a label differing by case and spaces", ["Album", " ALBUM  "], 1],
    ["a label differing by full case folding", ["Straße", "STRASSE"], 1],
    ["a full-width look-alike", ["Tour", "Ｔｏｕｒ"], 1],
  ])("GIVEN %s THEN poll_duplicate_option", (_, options, index) => {
    expect(validatePoll(input({ options }), now)).toEqual({
      ok: false,
      error: "poll_duplicate_option",
      option: index,
    });
  });

  it("GIVEN a closing time in the past or now THEN poll_close_in_past", () => {
    for (const closesAt of [at(-1), now]) {
      expect(validatePoll(input({ closesAt }), now)).toEqual({ ok: false, error: "poll_close_in_past" });
    }
  });

  it("GIVEN a closing time under a minute away THEN poll_close_too_soon; exactly one minute is fine", () => {
    expect(validatePoll(input({ closesAt: at(MIN_OPEN_MS - 1) }), now)).toEqual({
      ok: false,
      error: "poll_close_too_soon",
    });
    expect(validatePoll(input({ closesAt: at(MIN_OPEN_MS) }), now).ok).toBe(true);
  });

  it("GIVEN a closing time beyond 8 weeks THEN poll_close_too_far; exactly 8 weeks is fine", () => {
    expect(validatePoll(input({ closesAt: at(MAX_OPEN_MS + 1) }), now)).toEqual({
      ok: false,
      error: "poll_close_too_far",
    });
    expect(validatePoll(input({ closesAt: at(MAX_OPEN_MS) }), now).ok).toBe(true);
  });

  it("GIVEN an invalid date THEN poll_close_invalid", () => {
    expect(validatePoll(input({ closesAt: new Date("nope") }), now)).toEqual({
      ok: false,
      error: "poll_close_invalid",
    });
  });

  it("GIVEN an unknown mode from untyped input THEN poll_mode_invalid", () => {
    const bad = { ...input(), mode: "borda" } as unknown as PollInput;
    expect(validatePoll(bad, now)).toEqual({ ok: false, error: "poll_mode_invalid" });
  });

  it("GIVEN chosen tiers with an empty (or blank) list THEN poll_no_tiers", () => {
    for (const tierIds of [[], ["", "  "]]) {
      expect(validatePoll(input({ eligibility: { kind: "tiers", tierIds } }), now)).toEqual({
        ok: false,
        error: "poll_no_tiers",
      });
    }
  });

  it("GIVEN chosen tiers with repeats THEN they are kept once each", () => {
    const r = validatePoll(
      input({ eligibility: { kind: "tiers", tierIds: ["gold", "gold", "silver"] } }),
      now,
    );
    expect(r.ok && r.poll.eligibility).toEqual({ kind: "tiers", tierIds: ["gold", "silver"] });
  });

  it.each([0, 11, 1.5, -1, Number.NaN])("GIVEN a tier weight of %s THEN poll_weight_invalid", (w) => {
    expect(validatePoll(input({ weights: { gold: 3, silver: w } }), now)).toEqual({
      ok: false,
      error: "poll_weight_invalid",
      tierId: "silver",
    });
  });

  it("GIVEN weights 1..10 and the flags THEN they are kept", () => {
    const r = validatePoll(
      input({ weights: { gold: 10, bronze: 1 }, hideResultsUntilClose: true, allowLateJoiners: true }),
      now,
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect({ ...r.poll.weights }).toEqual({ gold: 10, bronze: 1 });
    expect(r.poll.hideResultsUntilClose).toBe(true);
    expect(r.poll.allowLateJoiners).toBe(true);
  });

  it("GIVEN a tier named like an Object member THEN its weight is its own, not the prototype's", () => {
    // JSON.parse makes "__proto__" an own key, as a weights map read from a form or the database would.
    const weights = JSON.parse('{"__proto__": 4, "constructor": 2}') as Record<string, number>;
    const r = validatePoll(input({ weights }), now);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const voter = (t: string): Voter => ({ tierIdsAtOpen: [t], tierIdsNow: [t] });
    expect(canVote({ poll: r.poll, voter: voter("constructor"), now })).toEqual({ ok: true, weight: 2 });
    expect(canVote({ poll: r.poll, voter: voter("__proto__"), now })).toEqual({ ok: true, weight: 4 });
    expect(canVote({ poll: r.poll, voter: voter("toString"), now })).toEqual({ ok: true, weight: 1 });
  });

  it("GIVEN several problems THEN the first in form order is reported", () => {
    expect(validatePoll(input({ question: "", options: ["x"], closesAt: at(-1) }), now)).toEqual({
      ok: false,
      error: "poll_question_invalid",
    });
  });

  it("PROPERTY: an accepted poll has 2..10 distinct trimmed options and closes 1 minute..8 weeks ahead", () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ maxLength: 12 }), { maxLength: 12 }),
        fc.integer({ min: -HOUR, max: MAX_OPEN_MS + HOUR }),
        (options, ahead) => {
          const r = validatePoll(input({ options, closesAt: at(ahead) }), now);
          if (!r.ok) return;
          expect(r.poll.options.length).toBeGreaterThanOrEqual(2);
          expect(r.poll.options.length).toBeLessThanOrEqual(10);
          expect(new Set(r.poll.options.map((o) => o.toLowerCase())).size).toBe(r.poll.options.length);
          for (const o of r.poll.options) expect(o).toBe(o.trim());
          expect(ahead).toBeGreaterThanOrEqual(MIN_OPEN_MS);
          expect(ahead).toBeLessThanOrEqual(MAX_OPEN_MS);
        },
      ),
    );
  });
});

describe("resultsVisible", () => {
  it("GIVEN results hidden until close THEN hidden while open, shown once closed", () => {
    const p = poll({ hideResultsUntilClose: true });
    expect(resultsVisible(p, now)).toBe(false);
    expect(resultsVisible(p, p.closesAt)).toBe(true);
  });

  it("GIVEN results not hidden THEN shown while open", () => {
    expect(resultsVisible(poll(), now)).toBe(true);
  });
});

describe("validateBallot", () => {
  it("GIVEN no choice THEN ballot_empty", () => {
    expect(validateBallot(poll(), { choices: [] })).toEqual({ ok: false, error: "ballot_empty" });
  });

  it.each([[[3]], [[-1]], [[0.5]], [[0, 7]]])(
    "GIVEN choices %j on 3 options THEN ballot_unknown_option",
    (c) => {
      expect(validateBallot(poll({ mode: "approval" }), { choices: c })).toEqual({
        ok: false,
        error: "ballot_unknown_option",
      });
    },
  );

  it.each(["single", "approval", "ranked"] as const)(
    "GIVEN a repeated option in a %s ballot THEN ballot_duplicate_choice",
    (mode) => {
      expect(validateBallot(poll({ mode }), { choices: [1, 1] })).toEqual({
        ok: false,
        error: "ballot_duplicate_choice",
      });
    },
  );

  it("GIVEN two picks on a single-choice poll THEN ballot_too_many_choices", () => {
    expect(validateBallot(poll(), { choices: [0, 2] })).toEqual({
      ok: false,
      error: "ballot_too_many_choices",
    });
  });

  it("GIVEN one pick on a single-choice poll THEN ok", () => {
    expect(validateBallot(poll(), { choices: [2] })).toEqual({ ok: true });
  });

  it("GIVEN several approvals, or every option approved THEN ok", () => {
    expect(validateBallot(poll({ mode: "approval" }), { choices: [2, 0] })).toEqual({ ok: true });
    expect(validateBallot(poll({ mode: "approval" }), { choices: [0, 1, 2] })).toEqual({ ok: true });
  });

  it("GIVEN a full or a partial ranking THEN ok", () => {
    expect(validateBallot(poll({ mode: "ranked" }), { choices: [2, 0, 1] })).toEqual({ ok: true });
    expect(validateBallot(poll({ mode: "ranked" }), { choices: [1] })).toEqual({ ok: true });
  });
});

describe("editBallot", () => {
  const approval = poll({ mode: "approval" });
  const ranked = poll({ mode: "ranked" });

  it("GIVEN set THEN the ballot is replaced, and checked like any ballot", () => {
    expect(editBallot(poll(), [A], { kind: "set", choices: [C] })).toEqual({ ok: true, choices: [C] });
    expect(editBallot(poll(), [A], { kind: "set", choices: [A, B] })).toEqual({
      ok: false,
      error: "ballot_too_many_choices",
    });
    expect(editBallot(ranked, [], { kind: "set", choices: [] })).toEqual({
      ok: false,
      error: "ballot_empty",
    });
  });

  it("GIVEN toggle on an approval poll THEN the option is added, or taken back", () => {
    expect(editBallot(approval, [A], { kind: "toggle", option: C })).toEqual({ ok: true, choices: [A, C] });
    expect(editBallot(approval, [A, C], { kind: "toggle", option: A })).toEqual({ ok: true, choices: [C] });
  });

  it("GIVEN toggle that takes back the only approval THEN refused as empty (clear is the way to withdraw)", () => {
    expect(editBallot(approval, [B], { kind: "toggle", option: B })).toEqual({
      ok: false,
      error: "ballot_empty",
    });
  });

  it("GIVEN append on a ranked poll THEN the option is the next rank; an option ranked already keeps its place", () => {
    expect(editBallot(ranked, [C], { kind: "append", option: A })).toEqual({ ok: true, choices: [C, A] });
    expect(editBallot(ranked, [C, A], { kind: "append", option: C })).toEqual({ ok: true, choices: [C, A] });
    expect(editBallot(ranked, [], { kind: "append", option: B })).toEqual({ ok: true, choices: [B] });
  });

  it("GIVEN clear THEN the ballot is empty, in every mode", () => {
    for (const mode of ["single", "approval", "ranked"] as const) {
      expect(
        editBallot(poll({ mode }), [A, B].slice(0, mode === "single" ? 1 : 2), { kind: "clear" }),
      ).toEqual({
        ok: true,
        choices: [],
      });
    }
  });

  it("GIVEN an edit the mode does not offer, or an unknown option THEN refused as ballot_unknown_option", () => {
    expect(editBallot(poll(), [], { kind: "toggle", option: A })).toEqual({
      ok: false,
      error: "ballot_unknown_option",
    });
    expect(editBallot(approval, [], { kind: "append", option: A })).toEqual({
      ok: false,
      error: "ballot_unknown_option",
    });
    expect(editBallot(ranked, [A], { kind: "append", option: 3 })).toEqual({
      ok: false,
      error: "ballot_unknown_option",
    });
    expect(editBallot(approval, [], { kind: "toggle", option: Number.NaN })).toEqual({
      ok: false,
      error: "ballot_unknown_option",
    });
  });

  it("PROPERTY: every accepted edit gives a valid ballot, or an empty one after a clear", () => {
    const option = fc.integer({ min: -1, max: 3 });
    const edit: fc.Arbitrary<BallotEdit> = fc.oneof(
      fc.record({ kind: fc.constant("set" as const), choices: fc.array(option, { maxLength: 4 }) }),
      fc.record({ kind: fc.constant("toggle" as const), option }),
      fc.record({ kind: fc.constant("append" as const), option }),
      fc.constant({ kind: "clear" as const }),
    );
    fc.assert(
      fc.property(
        fc.constantFrom("single", "approval", "ranked" as const),
        fc.array(edit, { maxLength: 8 }),
        (mode, edits) => {
          const p = poll({ mode });
          let current: number[] = [];
          for (const e of edits) {
            const r = editBallot(p, current, e);
            if (!r.ok) continue; // a refused edit leaves the ballot as it was
            if (e.kind === "clear") expect(r.choices).toEqual([]);
            else expect(validateBallot(p, r)).toEqual({ ok: true });
            current = r.choices;
          }
        },
      ),
    );
  });
});

describe("countedBallots", () => {
  const ballot = (id: string, memberId: string, ms: number, choices: number[]) => ({
    id,
    memberId,
    at: at(ms),
    choices,
    weight: 1,
  });

  it("GIVEN a member whose latest ballot is cleared THEN they are not counted; an earlier clear is overridden", () => {
    const counted = countedBallots([
      ballot("b1", "m1", 1000, [A, B]),
      ballot("b2", "m1", 2000, []),
      ballot("b3", "m2", 1000, []),
      ballot("b4", "m2", 2000, [C]),
    ]);
    expect(counted.map((b) => b.id)).toEqual(["b4"]);
    expect(tallyRanked(poll(), counted)).toMatchObject({ totalVoters: 1, invalid: 0, winners: [C] });
  });
});

describe("canVote", () => {
  const member = (open: string[] | null, nowTiers: string[]): Voter => ({
    tierIdsAtOpen: open,
    tierIdsNow: nowTiers,
  });

  it("GIVEN a member of any tier on an all-members poll THEN may vote with weight 1", () => {
    expect(canVote({ poll: poll(), voter: member(["bronze"], ["bronze"]), now })).toEqual({
      ok: true,
      weight: 1,
    });
  });

  it("GIVEN the closing time reached THEN vote_closed (before anything else)", () => {
    const p = poll();
    expect(canVote({ poll: p, voter: member(["gold"], ["gold"]), now: p.closesAt })).toEqual({
      ok: false,
      error: "vote_closed",
    });
    expect(canVote({ poll: p, voter: member(null, []), now: at(48 * HOUR) })).toEqual({
      ok: false,
      error: "vote_closed",
    });
  });

  it("GIVEN someone who was never a member THEN vote_not_member", () => {
    expect(canVote({ poll: poll(), voter: member(null, []), now })).toEqual({
      ok: false,
      error: "vote_not_member",
    });
  });

  it("GIVEN a member eligible at opening who has lapsed since THEN vote_lapsed", () => {
    expect(canVote({ poll: poll(), voter: member(["gold"], []), now })).toEqual({
      ok: false,
      error: "vote_lapsed",
    });
  });

  it("GIVEN a member whose tier is not among the chosen ones THEN vote_tier_not_allowed", () => {
    const p = poll({ eligibility: { kind: "tiers", tierIds: ["gold"] } });
    expect(canVote({ poll: p, voter: member(["bronze"], ["bronze"]), now })).toEqual({
      ok: false,
      error: "vote_tier_not_allowed",
    });
  });

  it("GIVEN a member who downgraded from an allowed tier to a refused one THEN vote_tier_not_allowed", () => {
    const p = poll({ eligibility: { kind: "tiers", tierIds: ["gold"] } });
    expect(canVote({ poll: p, voter: member(["gold"], ["bronze"]), now })).toEqual({
      ok: false,
      error: "vote_tier_not_allowed",
    });
  });

  it("GIVEN someone who joined after opening and late joiners refused THEN vote_joined_after_open", () => {
    expect(canVote({ poll: poll(), voter: member(null, ["gold"]), now })).toEqual({
      ok: false,
      error: "vote_joined_after_open",
    });
  });

  it("GIVEN a member who upgraded into the only allowed tier after opening THEN vote_joined_after_open", () => {
    const p = poll({ eligibility: { kind: "tiers", tierIds: ["gold"] } });
    expect(canVote({ poll: p, voter: member(["bronze"], ["gold"]), now })).toEqual({
      ok: false,
      error: "vote_joined_after_open",
    });
  });

  it("GIVEN late joiners allowed THEN someone who joined after opening may vote", () => {
    const p = poll({ allowLateJoiners: true, weights: { gold: 3 } });
    expect(canVote({ poll: p, voter: member(null, ["gold"]), now })).toEqual({ ok: true, weight: 3 });
  });

  it("GIVEN several eligible tiers THEN the weight is the highest among them; unlisted tiers weigh 1", () => {
    const p = poll({ weights: { gold: 5, silver: 2 } });
    expect(canVote({ poll: p, voter: member(["silver", "gold"], ["silver", "gold"]), now })).toEqual({
      ok: true,
      weight: 5,
    });
    expect(canVote({ poll: p, voter: member(["bronze"], ["bronze"]), now })).toEqual({ ok: true, weight: 1 });
  });

  it("GIVEN a heavy tier that is not allowed THEN its weight does not count", () => {
    const p = poll({ eligibility: { kind: "tiers", tierIds: ["silver"] }, weights: { gold: 5, silver: 2 } });
    expect(canVote({ poll: p, voter: member(["silver", "gold"], ["silver", "gold"]), now })).toEqual({
      ok: true,
      weight: 2,
    });
  });

  it("GIVEN an upgrade mid-poll with eligibility frozen THEN the weight stays what it was at opening", () => {
    const p = poll({ weights: { gold: 5, silver: 2 } });
    expect(canVote({ poll: p, voter: member(["silver"], ["gold"]), now })).toEqual({ ok: true, weight: 2 });
  });

  it("GIVEN a downgrade mid-poll THEN the weight follows the tier paid for now", () => {
    const p = poll({ weights: { gold: 5, silver: 2 } });
    expect(canVote({ poll: p, voter: member(["gold"], ["silver"]), now })).toEqual({ ok: true, weight: 2 });
  });

  it("GIVEN an upgrade mid-poll with late joiners allowed THEN the new tier's weight counts", () => {
    const p = poll({ weights: { gold: 5, silver: 2 }, allowLateJoiners: true });
    expect(canVote({ poll: p, voter: member(["silver"], ["gold"]), now })).toEqual({ ok: true, weight: 5 });
  });
});

describe("latestBallots", () => {
  const ballot = (id: string, memberId: string, ms: number, platform: string, choices: number[]) => ({
    id,
    memberId,
    at: at(ms),
    platform,
    choices,
    weight: 1,
  });

  it("GIVEN a linked member voting on Discord then Telegram THEN one ballot counts, the last one", () => {
    const ballots = [
      ballot("b1", "m1", 1000, "discord", [A]),
      ballot("b2", "m2", 1500, "telegram", [A]),
      ballot("b3", "m1", 2000, "telegram", [B]),
    ];
    const latest = latestBallots(ballots);
    expect(latest.map((b) => b.id)).toEqual(["b3", "b2"]);
    expect(tallySingle(poll(), latest)).toMatchObject({ counts: [1, 1, 0], totalVoters: 2, totalWeight: 2 });
  });

  it("GIVEN an earlier ballot read after a later one THEN the later one still wins", () => {
    const latest = latestBallots([
      ballot("b9", "m1", 2000, "discord", [C]),
      ballot("b1", "m1", 1000, "x", [A]),
    ]);
    expect(latest.map((b) => b.id)).toEqual(["b9"]);
  });

  it("GIVEN two ballots at the same instant THEN the greater id wins, whatever the order", () => {
    const x = ballot("b1", "m1", 1000, "discord", [A]);
    const y = ballot("b2", "m1", 1000, "telegram", [B]);
    expect(latestBallots([x, y])).toEqual([y]);
    expect(latestBallots([y, x])).toEqual([y]);
  });

  it("GIVEN no ballots THEN none", () => {
    expect(latestBallots([])).toEqual([]);
  });

  it("PROPERTY: one ballot per member, the latest, whatever the order", () => {
    const stamp = fc.record({
      id: fc.string({ minLength: 1, maxLength: 3 }),
      memberId: fc.constantFrom("m1", "m2", "m3"),
      at: fc.integer({ min: 0, max: 5 }).map((s) => at(s * 1000)),
    });
    fc.assert(
      fc.property(
        fc
          .uniqueArray(stamp, { selector: (s) => s.id })
          .chain((bs) =>
            fc.tuple(
              fc.constant(bs),
              fc.shuffledSubarray(bs, { minLength: bs.length, maxLength: bs.length }),
            ),
          ),
        ([bs, shuffled]) => {
          const latest = latestBallots(bs);
          expect(latestBallots(shuffled)).toEqual(latest);
          expect(latest.map((b) => b.memberId)).toEqual([...new Set(bs.map((b) => b.memberId))].sort());
          for (const l of latest) {
            for (const b of bs.filter((x) => x.memberId === l.memberId)) {
              expect(
                b.at.getTime() < l.at.getTime() || (b.at.getTime() === l.at.getTime() && b.id <= l.id),
              ).toBe(true);
            }
          }
        },
      ),
    );
  });
});

describe("tallySingle", () => {
  it("GIVEN weighted picks THEN weights are summed and the heaviest option wins", () => {
    const t = tallySingle(poll(), [...times(3, [A]), { choices: [B], weight: 5 }, ...times(1, [C])]);
    expect(t).toEqual({
      mode: "single",
      counts: [3, 5, 1],
      winners: [B],
      tie: false,
      totalWeight: 9,
      totalVoters: 5,
      invalid: 0,
    });
  });

  it("GIVEN two options with the same highest weight THEN both are winners, as a tie", () => {
    const t = tallySingle(poll(), [
      { choices: [A], weight: 1 },
      { choices: [B], weight: 3 },
      { choices: [A], weight: 2 },
      { choices: [C], weight: 1 },
    ]);
    expect(t).toMatchObject({
      counts: [3, 3, 1],
      winners: [A, B],
      tie: true,
      totalWeight: 7,
      totalVoters: 4,
    });
  });

  it("GIVEN no ballots THEN no winner and no tie", () => {
    expect(tallySingle(poll(), [])).toMatchObject({
      counts: [0, 0, 0],
      winners: [],
      tie: false,
      totalWeight: 0,
    });
  });

  it("GIVEN a ballot that is not a valid single choice THEN it is skipped and counted as invalid", () => {
    const t = tallySingle(poll(), [
      ...times(2, [A]),
      { choices: [A, B], weight: 1 },
      { choices: [9], weight: 1 },
    ]);
    expect(t).toMatchObject({ counts: [2, 0, 0], totalVoters: 2, invalid: 2 });
  });
});

describe("tallyApproval", () => {
  it("GIVEN several approvals per ballot THEN each approved option gets the voter's full weight", () => {
    const t = tallyApproval(poll({ mode: "approval" }), [
      { choices: [A, B], weight: 2 },
      { choices: [B, C], weight: 1 },
      { choices: [C], weight: 3 },
    ]);
    expect(t).toEqual({
      mode: "approval",
      counts: [2, 3, 4],
      winners: [C],
      tie: false,
      totalWeight: 6,
      totalVoters: 3,
      invalid: 0,
    });
  });

  it("GIVEN options approved by the same weight THEN a tie, winners in option order", () => {
    const t = tallyApproval(poll({ mode: "approval" }), [
      { choices: [C, A], weight: 1 },
      { choices: [A, C], weight: 1 },
      { choices: [B], weight: 1 },
    ]);
    expect(t).toMatchObject({ counts: [2, 1, 2], winners: [A, C], tie: true, totalWeight: 3 });
  });
});

describe("tallyRanked", () => {
  const p = poll({ mode: "ranked", options: ["A", "B", "C", "D"] });
  const abc = poll({ mode: "ranked" });

  it("GIVEN a classic three-round race THEN the last is eliminated each round and transfers decide", () => {
    // 22 voters, majority > 11. R1: A 8, B 6, C 5, D 3 → D out, its ballots go to C.
    // R2: A 8, B 6, C 8 → B out, its ballots go to C. R3: A 8, C 14 → C wins.
    const t = tallyRanked(p, [
      ...times(8, [A, B]),
      ...times(6, [B, C]),
      ...times(5, [C, B]),
      ...times(3, [D, C]),
    ]);
    expect(t).toEqual({
      mode: "ranked",
      rounds: [
        {
          counts: [
            { option: A, weight: 8 },
            { option: B, weight: 6 },
            { option: C, weight: 5 },
            { option: D, weight: 3 },
          ],
          continuingWeight: 22,
          exhausted: 0,
          eliminated: [D],
        },
        {
          counts: [
            { option: A, weight: 8 },
            { option: B, weight: 6 },
            { option: C, weight: 8 },
          ],
          continuingWeight: 22,
          exhausted: 0,
          eliminated: [B],
        },
        {
          counts: [
            { option: A, weight: 8 },
            { option: C, weight: 14 },
          ],
          continuingWeight: 22,
          exhausted: 0,
          eliminated: [],
        },
      ],
      winners: [C],
      tie: false,
      totalWeight: 22,
      totalVoters: 22,
      invalid: 0,
    } satisfies RankedTally);
  });

  it("GIVEN the first-round leader short of a majority THEN transfers can make it lose", () => {
    // R1 (of 9): A 4, B 3, C 2 → C out, its ballots go to B. R2: A 4, B 5 → B wins.
    const t = tallyRanked(abc, [...times(4, [A]), ...times(3, [B, A]), ...times(2, [C, B])]);
    expect(t.rounds.map((r) => r.counts.map((c) => c.weight))).toEqual([
      [4, 3, 2],
      [4, 5],
    ]);
    expect(t.rounds[0]?.eliminated).toEqual([C]);
    expect(t.winners).toEqual([B]);
    expect(t.tie).toBe(false);
  });

  it("GIVEN weighted ballots THEN one heavy voter can outweigh many light ones", () => {
    const t = tallyRanked(p, [...times(5, [A]), { choices: [B], weight: 10 }]);
    expect(t).toMatchObject({ winners: [B], tie: false, totalWeight: 15, totalVoters: 6 });
    expect(t.rounds).toHaveLength(1);
  });

  it("GIVEN partial rankings that run out THEN they are exhausted and the majority is of what continues", () => {
    // R1 (of 9): A 4, B 3, C 2 → C out; its ballots rank nothing else.
    // R2: A 4, B 3, exhausted 2: A has 4 of the 7 continuing, a majority though not of all 9.
    const t = tallyRanked(abc, [...times(4, [A]), ...times(3, [B]), ...times(2, [C])]);
    expect(t.rounds[1]).toEqual({
      counts: [
        { option: A, weight: 4 },
        { option: B, weight: 3 },
      ],
      continuingWeight: 7,
      exhausted: 2,
      eliminated: [],
    });
    expect(t.winners).toEqual([A]);
  });

  it("GIVEN two options tied for last THEN both are eliminated in the same round", () => {
    // R1 (of 11): A 4, B 2, C 2, D 3 → B and C out together. B's go to A, C's to D.
    // R2: A 6, D 5 → A wins.
    const t = tallyRanked(p, [
      ...times(4, [A]),
      ...times(2, [B, A]),
      ...times(2, [C, D]),
      ...times(3, [D, C]),
    ]);
    expect(t.rounds[0]?.eliminated).toEqual([B, C]);
    expect(t.rounds[1]?.counts).toEqual([
      { option: A, weight: 6 },
      { option: D, weight: 5 },
    ]);
    expect(t).toMatchObject({ winners: [A], tie: false });
  });

  it("GIVEN the last two options level THEN no elimination: both are declared tied winners", () => {
    // R1 (of 8): A 3, B 3, C 2 → C out; its ballots rank nothing else. R2: A 3, B 3 → tie.
    const t = tallyRanked(abc, [...times(3, [A, C]), ...times(3, [B, C]), ...times(2, [C])]);
    expect(t.rounds).toHaveLength(2);
    expect(t.rounds[1]).toEqual({
      counts: [
        { option: A, weight: 3 },
        { option: B, weight: 3 },
      ],
      continuingWeight: 6,
      exhausted: 2,
      eliminated: [],
    });
    expect(t).toMatchObject({ winners: [A, B], tie: true });
  });

  it("GIVEN every option level in the first round THEN all are tied winners", () => {
    const t = tallyRanked(abc, [...times(1, [A]), ...times(1, [B]), ...times(1, [C])]);
    expect(t).toMatchObject({ winners: [A, B, C], tie: true });
    expect(t.rounds).toHaveLength(1);
  });

  it("GIVEN no ballots THEN one empty round, no winner, no tie", () => {
    expect(tallyRanked(abc, [])).toEqual({
      mode: "ranked",
      rounds: [
        {
          counts: [
            { option: A, weight: 0 },
            { option: B, weight: 0 },
            { option: C, weight: 0 },
          ],
          continuingWeight: 0,
          exhausted: 0,
          eliminated: [],
        },
      ],
      winners: [],
      tie: false,
      totalWeight: 0,
      totalVoters: 0,
      invalid: 0,
    });
  });

  it("GIVEN an invalid ranking THEN it is skipped and counted as invalid", () => {
    const t = tallyRanked(abc, [...times(2, [A]), { choices: [B, B], weight: 1 }]);
    expect(t).toMatchObject({ winners: [A], totalVoters: 2, invalid: 1 });
  });
});

describe("tallyPoll", () => {
  it("GIVEN each mode THEN the matching tally", () => {
    const ballots = times(1, [A]);
    expect(tallyPoll(poll({ mode: "single" }), ballots).mode).toBe("single");
    expect(tallyPoll(poll({ mode: "approval" }), ballots).mode).toBe("approval");
    expect(tallyPoll(poll({ mode: "ranked" }), ballots).mode).toBe("ranked");
  });
});

describe("tally properties", () => {
  const optionCount = fc.integer({ min: 2, max: 6 });
  const weight = fc.integer({ min: 1, max: 10 });
  const indexes = (n: number) => Array.from({ length: n }, (_, i) => i);
  const singleBallot = (n: number) =>
    fc.record({ choices: fc.integer({ min: 0, max: n - 1 }).map((c) => [c]), weight });
  const setBallot = (n: number) =>
    fc.record({ choices: fc.shuffledSubarray(indexes(n), { minLength: 1 }), weight });
  const optionsOf = (n: number) => indexes(n).map((i) => `Option ${i}`);
  const sum = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0);

  it("PROPERTY (single): total weight and the counts both equal the sum of the voters' weights", () => {
    fc.assert(
      fc.property(
        optionCount.chain((n) => fc.tuple(fc.constant(n), fc.array(singleBallot(n)))),
        ([n, ballots]) => {
          const t = tallySingle({ options: optionsOf(n) }, ballots);
          const weights = sum(ballots.map((b) => b.weight));
          expect(t.totalWeight).toBe(weights);
          expect(sum(t.counts)).toBe(weights);
          expect(t.totalVoters).toBe(ballots.length);
          if (ballots.length > 0) for (const w of t.winners) expect(t.counts[w]).toBe(Math.max(...t.counts));
        },
      ),
    );
  });

  it("PROPERTY (approval): no option counts more than the total weight; winners hold the top count", () => {
    fc.assert(
      fc.property(
        optionCount.chain((n) => fc.tuple(fc.constant(n), fc.array(setBallot(n)))),
        ([n, ballots]) => {
          const t = tallyApproval({ options: optionsOf(n) }, ballots);
          expect(t.totalWeight).toBe(sum(ballots.map((b) => b.weight)));
          for (const c of t.counts) expect(c).toBeLessThanOrEqual(t.totalWeight);
          for (const w of t.winners) expect(t.counts[w]).toBe(Math.max(...t.counts));
          expect(t.tie).toBe(t.winners.length > 1);
        },
      ),
    );
  });

  it("PROPERTY (ranked): a single winner holds a majority of continuing weight in the final round", () => {
    fc.assert(
      fc.property(
        optionCount.chain((n) => fc.tuple(fc.constant(n), fc.array(setBallot(n), { maxLength: 40 }))),
        ([n, ballots]) => {
          const t = tallyRanked({ options: optionsOf(n) }, ballots);
          const final = t.rounds.at(-1)!;
          expect(final.eliminated).toEqual([]);
          if (t.winners.length === 1) {
            const w = final.counts.find((c) => c.option === t.winners[0])!;
            expect(w.weight * 2).toBeGreaterThan(final.continuingWeight);
          }
          if (t.tie) {
            // A tie only when every continuing option holds the same weight.
            expect(new Set(final.counts.map((c) => c.weight)).size).toBe(1);
            expect(t.winners).toEqual(final.counts.map((c) => c.option));
          }
        },
      ),
    );
  });

  it("PROPERTY (ranked): every round accounts for all weight, exhaustion only grows, options only leave", () => {
    fc.assert(
      fc.property(
        optionCount.chain((n) => fc.tuple(fc.constant(n), fc.array(setBallot(n), { maxLength: 40 }))),
        ([n, ballots]) => {
          const t = tallyRanked({ options: optionsOf(n) }, ballots);
          let exhausted = 0;
          let alive = n + 1;
          for (const r of t.rounds) {
            expect(sum(r.counts.map((c) => c.weight)) + r.exhausted).toBe(t.totalWeight);
            expect(r.continuingWeight).toBe(t.totalWeight - r.exhausted);
            expect(r.exhausted).toBeGreaterThanOrEqual(exhausted);
            expect(r.counts.length).toBeLessThan(alive);
            exhausted = r.exhausted;
            alive = r.counts.length;
          }
        },
      ),
    );
  });

  it.each(["single", "approval", "ranked"] as const)(
    "PROPERTY (%s): the tally does not depend on the order of the ballots",
    (mode) => {
      fc.assert(
        fc.property(
          optionCount.chain((n) =>
            fc
              .array(mode === "single" ? singleBallot(n) : setBallot(n), { maxLength: 30 })
              .chain((bs) =>
                fc.tuple(
                  fc.constant(n),
                  fc.constant(bs),
                  fc.shuffledSubarray(bs, { minLength: bs.length, maxLength: bs.length }),
                ),
              ),
          ),
          ([n, ballots, shuffled]) => {
            const p = { mode, options: optionsOf(n) };
            expect(tallyPoll(p, shuffled)).toEqual(tallyPoll(p, ballots));
          },
        ),
      );
    },
  );

  it("PROPERTY (ranked): an option first on more than half the weight wins in round 1", () => {
    fc.assert(
      fc.property(
        optionCount.chain((n) =>
          fc.tuple(
            fc.constant(n),
            fc.integer({ min: 0, max: n - 1 }),
            fc.array(setBallot(n), { maxLength: 20 }),
            fc.array(setBallot(n), { minLength: 1, maxLength: 20 }),
          ),
        ),
        ([n, favourite, rest, backers]) => {
          // The backers put the favourite first, keeping the rest of their ranking.
          const first = backers.map((b) => ({
            weight: b.weight,
            choices: [favourite, ...b.choices.filter((c) => c !== favourite)],
          }));
          fc.pre(sum(first.map((b) => b.weight)) * 2 > sum([...first, ...rest].map((b) => b.weight)));
          const t = tallyRanked({ options: optionsOf(n) }, [...rest, ...first]);
          expect(t.rounds).toHaveLength(1);
          expect(t.winners).toEqual([favourite]);
          expect(t.tie).toBe(false);
        },
      ),
    );
  });
});

describe("ballotsToCsv", () => {
  const row = (over: Partial<Parameters<typeof ballotsToCsv>[1][number]> = {}) => ({
    memberId: "m1",
    platform: "discord" as const,
    choices: [A],
    weight: 1,
    at: now,
    ...over,
  });

  it("GIVEN single-choice ballots THEN a header and one CRLF-terminated line per ballot, ISO times", () => {
    expect(
      ballotsToCsv(poll(), [row(), row({ memberId: "m2", platform: "telegram", choices: [C], weight: 3 })]),
    ).toBe(
      "member,platform,choice,weight,time\r\n" +
        "m1,discord,A,1,2026-11-23T12:00:00.000Z\r\n" +
        "m2,telegram,C,3,2026-11-23T12:00:00.000Z\r\n",
    );
  });

  it("GIVEN a ranked ballot THEN the labels are joined best-first with ' > '", () => {
    expect(ballotsToCsv(poll({ mode: "ranked" }), [row({ choices: [C, A, B] })]).split("\r\n")[1]).toBe(
      "m1,discord,C > A > B,1,2026-11-23T12:00:00.000Z",
    );
  });

  it("GIVEN an approval ballot THEN the labels are joined with ' + '", () => {
    expect(ballotsToCsv(poll({ mode: "approval" }), [row({ choices: [A, C] })]).split("\r\n")[1]).toBe(
      "m1,discord,A + C,1,2026-11-23T12:00:00.000Z",
    );
  });

  it("GIVEN labels with commas, quotes and newlines THEN those fields are quoted and quotes doubled", () => {
    const p = poll({ mode: "approval", options: ["Rock, loud", 'The "big" one', "Two\nlines"] });
    expect(ballotsToCsv(p, [row({ choices: [A] }), row({ choices: [B] }), row({ choices: [C] })])).toBe(
      "member,platform,choice,weight,time\r\n" +
        'm1,discord,"Rock, loud",1,2026-11-23T12:00:00.000Z\r\n' +
        'm1,discord,"The ""big"" one",1,2026-11-23T12:00:00.000Z\r\n' +
        'm1,discord,"Two\nlines",1,2026-11-23T12:00:00.000Z\r\n',
    );
  });

  it("GIVEN an index with no option THEN it is written as #index instead of failing the export", () => {
    expect(ballotsToCsv(poll(), [row({ choices: [7] })])).toContain(",#7,");
  });

  it("GIVEN no rows THEN only the header", () => {
    expect(ballotsToCsv(poll(), [])).toBe("member,platform,choice,weight,time\r\n");
  });

  it("GIVEN labels a fan wrote like spreadsheet formulas THEN each cell gets a leading quote and cannot run", () => {
    const p = poll({ mode: "approval", options: ['=HYPERLINK("http://evil","x")', "+1", "@SUM(A1)"] });
    expect(ballotsToCsv(p, [row({ choices: [A, C] }), row({ memberId: "-m", choices: [B] })])).toBe(
      "member,platform,choice,weight,time\r\n" +
        `m1,discord,"'=HYPERLINK(""http://evil"",""x"") + @SUM(A1)",1,2026-11-23T12:00:00.000Z\r\n` +
        "'-m,discord,'+1,1,2026-11-23T12:00:00.000Z\r\n",
    );
  });

  it("PROPERTY: any labels and member ids read back unchanged, but for the quote before a formula's start", () => {
    const text = fc.string({
      unit: fc.constantFrom("a", "b", ",", '"', "\n", "\r", " ", "é", "=", "-", "'"),
      maxLength: 8,
    });
    const cell = (value: string) => (/^[=+\-@\t\r]/.test(value) ? `'${value}` : value);
    fc.assert(
      fc.property(
        fc.uniqueArray(text, { minLength: 2, maxLength: 4 }),
        fc.array(text, { maxLength: 5 }),
        (options, members) => {
          const p = poll({ mode: "ranked", options });
          const rows = members.map((memberId) => row({ memberId, choices: [1, 0] }));
          const parsed = parseCsv(ballotsToCsv(p, rows));
          expect(parsed[0]).toEqual(["member", "platform", "choice", "weight", "time"]);
          expect(parsed.slice(1)).toEqual(
            members.map((m) => [
              cell(m),
              "discord",
              cell(`${options[1]} > ${options[0]}`),
              "1",
              now.toISOString(),
            ]),
          );
        },
      ),
    );
  });
});
