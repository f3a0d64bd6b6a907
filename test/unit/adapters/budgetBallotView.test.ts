import { randomUUID } from "node:crypto";
import type { APIButtonComponentWithCustomId } from "discord-api-types/v10";
import { describe, expect, it } from "vitest";
import {
  budgetCast,
  budgetStep,
  MAX_CUSTOM_ID,
  parseBudgetAction,
  parseDraft,
  pollComponents,
  stepDraft,
} from "../../../src/adapters/discord/pollView.ts";
import { MAX_BUDGET_POINTS, MAX_OPTIONS } from "../../../src/core/polls.ts";
import { DomainError } from "../../../src/errors.ts";

const poll = (n: number) => ({
  id: randomUUID(),
  question: "Where do the **funds** go?",
  options: Array.from({ length: n }, (_, i) => `Option ${i + 1}`),
});

/** The private ballot's buttons, row by row: label, custom id, disabled. */
function rows(view: ReturnType<typeof budgetStep>) {
  return view.components.map((r) =>
    (r.toJSON().components as APIButtonComponentWithCustomId[]).map((b) => ({
      label: b.label,
      id: b.custom_id,
      disabled: b.disabled ?? false,
    })),
  );
}

const code = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    if (e instanceof DomainError) return e.code;
    throw e;
  }
  return "accepted";
};

describe("the private budget ballot on Discord", () => {
  it("the poll message shows one button opening the ballot, disabled once closed", () => {
    const p = { ...poll(3), mode: "budget", closedAt: null };
    const [row] = pollComponents("en", p).map((r) => r.toJSON().components);
    expect(row).toEqual([
      expect.objectContaining({ custom_id: `pv:${p.id}:b`, label: "Spread your points", disabled: false }),
    ]);
    const fr = pollComponents("fr", { ...p, closedAt: new Date() })[0]!.toJSON().components[0];
    expect(fr).toMatchObject({ label: "Répartir mes points", disabled: true });
  });

  it("three options: a ＋ row, a − row, then cast and clear; impossible steps disabled", () => {
    const p = poll(3);
    const view = budgetStep("en", p, { points: 10, cap: 6, allocation: [6, 0, 3] });
    const id = (a: string) => `pb:${p.id}:6.0.3:${a}`;
    expect(rows(view)).toEqual([
      [
        { label: "＋1", id: id("p0"), disabled: true }, // at the cap
        { label: "＋2", id: id("p1"), disabled: false },
        { label: "＋3", id: id("p2"), disabled: false },
      ],
      [
        { label: "−1", id: id("m0"), disabled: false },
        { label: "−2", id: id("m1"), disabled: true }, // at 0
        { label: "−3", id: id("m2"), disabled: false },
      ],
      [
        { label: "Cast my points", id: id("ok"), disabled: false },
        { label: "Clear", id: id("c"), disabled: false },
      ],
    ]);
    expect(view.content).toBe(
      [
        "**Where do the \\*\\*funds\\*\\* go?**",
        "Your private ballot: ＋ gives an option one point, − takes one back. Nothing counts until you press “Cast my points”.",
        "**1.** Option 1: 6 points",
        "**2.** Option 2: 0 points",
        "**3.** Option 3: 3 points",
        "Points left: 1 of 10 (at most 6 on one option).",
      ].join("\n"),
    );
  });

  it("no point left: every ＋ disabled; an empty draft cannot be cleared; no cap, no cap line", () => {
    const p = poll(2);
    const spent = rows(budgetStep("en", p, { points: 5, cap: null, allocation: [2, 3] }));
    expect(spent[0]!.map((b) => b.disabled)).toEqual([true, true]);
    expect(spent[1]!.map((b) => b.disabled)).toEqual([false, false]);
    const empty = budgetStep("fr", p, { points: 5, cap: null, allocation: [0, 0] });
    expect(rows(empty)[0]!.map((b) => b.disabled)).toEqual([false, false]);
    expect(rows(empty)[1]!.map((b) => b.disabled)).toEqual([true, true]);
    expect(rows(empty)[2]).toEqual([
      { label: "Valider mes points", id: `pb:${p.id}:0.0:ok`, disabled: false },
      { label: "Tout effacer", id: `pb:${p.id}:0.0:c`, disabled: true },
    ]);
    expect(empty.content).toContain("Points restants : 5 sur 5.");
  });

  it("ten options fill Discord's 5 rows of at most 5 buttons", () => {
    const view = budgetStep("en", poll(MAX_OPTIONS), {
      points: 10,
      cap: null,
      allocation: Array(MAX_OPTIONS).fill(0),
    });
    expect(rows(view).map((r) => r.map((b) => b.label))).toEqual([
      ["＋1", "＋2", "＋3", "＋4", "＋5"],
      ["−1", "−2", "−3", "−4", "−5"],
      ["＋6", "＋7", "＋8", "＋9", "＋10"],
      ["−6", "−7", "−8", "−9", "−10"],
      ["Cast my points", "Clear"],
    ]);
    const ids = rows(view)
      .flat()
      .map((b) => b.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("custom ids stay within Discord's 100 characters: ten options at the most points, a real poll id", () => {
    const p = poll(MAX_OPTIONS);
    const view = budgetStep("en", p, {
      points: MAX_BUDGET_POINTS,
      cap: null,
      allocation: Array(MAX_OPTIONS).fill(MAX_BUDGET_POINTS),
    });
    const ids = rows(view)
      .flat()
      .map((b) => b.id);
    expect(ids).toHaveLength(2 * MAX_OPTIONS + 2);
    expect(p.id).toHaveLength(36);
    for (const id of ids) expect(id.length).toBeLessThanOrEqual(MAX_CUSTOM_ID);
    expect(Math.max(...ids.map((id) => id.length))).toBe(82);
  });

  it("parses drafts and actions strictly", () => {
    const p = poll(3);
    expect(parseDraft(p, "6.0.3")).toEqual([6, 0, 3]);
    for (const bad of ["6.0", "6.0.3.0", "", undefined])
      expect(
        code(() => parseDraft(p, bad)),
        String(bad),
      ).toBe("ballot_unknown_option");
    for (const bad of ["6.x.3", "6.-1.3", "6.01.3", "6.1000.3", "6.1e2.3", "6. 1.3"])
      expect(
        code(() => parseDraft(p, bad)),
        bad,
      ).toBe("ballot_points_invalid");
    expect(parseBudgetAction(p, "p2")).toEqual({ kind: "plus", option: 2 });
    expect(parseBudgetAction(p, "m0")).toEqual({ kind: "minus", option: 0 });
    expect(parseBudgetAction(p, "ok")).toEqual({ kind: "cast" });
    expect(parseBudgetAction(p, "c")).toEqual({ kind: "clear" });
    for (const bad of ["p3", "m", "x1", "p-1", "p01", "OK", undefined])
      expect(
        code(() => parseBudgetAction(p, bad)),
        String(bad),
      ).toBe("ballot_unknown_option");
    expect(stepDraft([1, 0, 2], { kind: "plus", option: 1 })).toEqual([1, 1, 2]);
    expect(stepDraft([1, 0, 2], { kind: "minus", option: 1 })).toEqual([1, -1, 2]);
    expect(stepDraft([1, 0, 2], { kind: "clear" })).toEqual([0, 0, 0]);
  });

  it("the cast's answer names the points, escaped", () => {
    const options = ["Cooking", "*Music*"];
    expect(budgetCast("en", { options }, { status: "counted", weight: 10, choices: [0, 0, 1] })).toBe(
      "Your points are cast.\nYour points: 2 × Cooking + 1 × \\*Music\\*. Points left: 7 of 10.",
    );
    expect(budgetCast("fr", { options }, { status: "unchanged", weight: 5, choices: [1] })).toBe(
      "Vous aviez déjà donné exactement ces points : rien n'a changé.\nVos points : 1 × \\*Music\\*. Points restants : 4 sur 5.",
    );
    expect(budgetCast("en", { options }, { status: "cleared", weight: 5, choices: [] })).toBe(
      "Your ballot is cleared: it counts for nothing until you vote again.",
    );
  });
});
