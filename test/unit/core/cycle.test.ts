import { describe, expect, it } from "vitest";
import { cycleMonth, nextCycleOpening, pickCycleIdeas } from "../../../src/core/cycle.ts";

const at = (iso: string) => new Date(iso);

describe("the cycle's next opening (UTC)", () => {
  it("is this month's when it is still ahead, at the set hour", () => {
    expect(nextCycleOpening(at("2026-12-01T08:00:00Z"), { day: 25, hour: 12 }).toISOString()).toBe(
      "2026-12-25T12:00:00.000Z",
    );
    expect(nextCycleOpening(at("2026-12-25T11:59:59.999Z"), { day: 25, hour: 12 }).toISOString()).toBe(
      "2026-12-25T12:00:00.000Z",
    );
  });

  it("is next month's once this month's has come (the exact time included), across the year's end", () => {
    expect(nextCycleOpening(at("2026-12-25T12:00:00Z"), { day: 25, hour: 12 }).toISOString()).toBe(
      "2027-01-25T12:00:00.000Z",
    );
    expect(nextCycleOpening(at("2026-12-31T23:59:00Z"), { day: 1, hour: 0 }).toISOString()).toBe(
      "2027-01-01T00:00:00.000Z",
    );
  });

  it("day 28 exists in every month, February of a common year included; the hour is UTC whatever the season", () => {
    expect(nextCycleOpening(at("2027-01-28T23:00:00Z"), { day: 28, hour: 23 }).toISOString()).toBe(
      "2027-02-28T23:00:00.000Z",
    );
    expect(nextCycleOpening(at("2027-02-28T23:00:01Z"), { day: 28, hour: 23 }).toISOString()).toBe(
      "2027-03-28T23:00:00.000Z",
    );
    // Europe's clocks change on 2027-03-28: UTC does not.
    expect(nextCycleOpening(at("2027-03-01T00:00:00Z"), { day: 28, hour: 1 }).toISOString()).toBe(
      "2027-03-28T01:00:00.000Z",
    );
    // From a month's 31st, the next month's day comes without skipping it.
    expect(nextCycleOpening(at("2027-01-31T12:00:00Z"), { day: 3, hour: 9 }).toISOString()).toBe(
      "2027-02-03T09:00:00.000Z",
    );
  });

  it("names the month an opening belongs to", () => {
    expect(cycleMonth(at("2026-12-25T12:00:00Z"))).toBe("2026-12");
    expect(cycleMonth(at("2027-01-01T00:00:00Z"))).toBe("2027-01");
  });
});

describe("the cycle's ideas", () => {
  const idea = (id: string, upvotes: number, day: number) => ({
    id,
    upvotes,
    createdAt: new Date(Date.UTC(2026, 10, day)),
  });

  it("takes the top N at or above the threshold, most upvoted first", () => {
    const ideas = [idea("a", 1, 1), idea("b", 5, 2), idea("c", 3, 3), idea("d", 2, 4), idea("e", 9, 5)];
    expect(pickCycleIdeas(ideas, { top: 3, min: 2 }).map((i) => i.id)).toEqual(["e", "b", "c"]);
    expect(pickCycleIdeas(ideas, { top: 10, min: 2 }).map((i) => i.id)).toEqual(["e", "b", "c", "d"]);
    expect(pickCycleIdeas(ideas, { top: 10, min: 0 }).map((i) => i.id)).toEqual(["e", "b", "c", "d", "a"]);
    expect(pickCycleIdeas(ideas, { top: 3, min: 6 }).map((i) => i.id)).toEqual(["e"]);
    expect(pickCycleIdeas([], { top: 3, min: 0 })).toEqual([]);
  });

  it("breaks ties by the oldest first, then by id, whatever the order read", () => {
    const ideas = [idea("late", 4, 20), idea("z-early", 4, 2), idea("a-early", 4, 2), idea("top", 7, 25)];
    const expected = ["top", "a-early", "z-early"];
    expect(pickCycleIdeas(ideas, { top: 3, min: 0 }).map((i) => i.id)).toEqual(expected);
    expect(pickCycleIdeas([...ideas].reverse(), { top: 3, min: 0 }).map((i) => i.id)).toEqual(expected);
  });
});
