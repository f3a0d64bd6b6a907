import { describe, expect, it } from "vitest";
import {
  CHAIN,
  canMove,
  closingMoves,
  IDEA_STATUSES,
  type IdeaStatus,
  nextStatuses,
  takesUpvotes,
} from "../../../src/core/ideaLifecycle.ts";

describe("the idea lifecycle", () => {
  it("follows the chain proposed → shortlisted → in_poll → won → in_the_works → shipped", () => {
    for (let i = 0; i + 1 < CHAIN.length; i++) {
      expect(canMove(CHAIN[i]!, CHAIN[i + 1]!), `${CHAIN[i]} → ${CHAIN[i + 1]}`).toBe(true);
    }
    // A winner may be shipped without a stop in the works; a loser may go to another poll.
    expect(canMove("won", "shipped")).toBe(true);
    expect(canMove("in_poll", "lost")).toBe(true);
    expect(canMove("lost", "in_poll")).toBe(true);
  });

  it("never goes back, and ends at shipped, declined or merged", () => {
    for (const end of ["shipped", "declined", "merged"] as const) expect(nextStatuses(end)).toEqual([]);
    expect(canMove("shipped", "in_the_works")).toBe(false);
    expect(canMove("in_the_works", "won")).toBe(false);
    expect(canMove("won", "lost")).toBe(false);
    expect(canMove("lost", "won")).toBe(false);
    expect(canMove("proposed", "won")).toBe(false);
    expect(canMove("proposed", "shipped")).toBe(false);
  });

  it("lets the creator decline or merge only what the tribe still shapes", () => {
    const decidable = IDEA_STATUSES.filter((s) => canMove(s, "declined"));
    expect(decidable).toEqual(["proposed", "shortlisted", "lost"]);
    expect(IDEA_STATUSES.filter((s) => canMove(s, "merged"))).toEqual(decidable);
    // In a poll, an idea is the tribe's vote: neither declined nor put in a second poll.
    expect(canMove("in_poll", "declined")).toBe(false);
    expect(canMove("in_poll", "in_poll")).toBe(false);
  });

  it("takes upvotes only before a poll or a decision", () => {
    const open = IDEA_STATUSES.filter((s: IdeaStatus) => takesUpvotes(s));
    expect(open).toEqual(["proposed", "shortlisted"]);
  });

  it("settles a closing poll: one winner won, the others lost; a tie back to the shortlist", () => {
    expect(closingMoves(["a", "b", "c"], [1])).toEqual([
      { ideaId: "a", to: "lost" },
      { ideaId: "b", to: "won" },
      { ideaId: "c", to: "lost" },
    ]);
    expect(closingMoves(["a", "b", "c"], [0, 2])).toEqual([
      { ideaId: "a", to: "shortlisted" },
      { ideaId: "b", to: "lost" },
      { ideaId: "c", to: "shortlisted" },
    ]);
    // Nobody voted: no winner, every idea lost.
    expect(closingMoves(["a", "b"], []).map((m) => m.to)).toEqual(["lost", "lost"]);
    for (const m of closingMoves(["a", "b", "c"], [0, 2])) expect(canMove("in_poll", m.to), m.to).toBe(true);
  });
});
