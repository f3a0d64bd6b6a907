import { describe, expect, it } from "vitest";
import { statsChartInput, statsChartPng, statsFigures } from "../../../src/adapters/statsChart.ts";
import type { StatsView } from "../../../src/app/stats.ts";
import { CHART_WIDTH } from "../../../src/core/resultsChart.ts";
import { assembleStats } from "../../../src/core/stats.ts";
import { COLUMN_CHART_HEIGHT, columnChartSvg, columnGeometry } from "../../../src/core/statsChart.ts";

const now = new Date("2026-11-25T12:00:00Z");

function view(): StatsView {
  return {
    ...assembleStats(
      {
        live: [
          {
            tierId: "gold",
            status: "active",
            kind: "recurring",
            currency: "eur",
            interval: "year",
            amount: 12000,
            subscriptions: 3,
          },
        ],
        activeMembers: 3,
        membersPerTier: [{ tierId: "gold", members: 3 }],
        churn: { activeAtStart: 40, lost: 1, gained: 2 },
        weeks: [
          { weekStart: new Date("2026-11-23T00:00:00Z"), joined: 1, lost: 3 },
          { weekStart: new Date("2026-11-16T00:00:00Z"), joined: 4, lost: 0 },
        ],
        oneOff: [{ tierId: "gold", currency: "eur", amount: 30000, purchases: 1 }],
        trials: { ended: 4, converted: 3 },
        goal: 1000,
      },
      now,
    ),
    tierNames: { gold: "Or" },
  };
}

describe("the trend chart", () => {
  it("columns rise from the zero line for a gain and fall below it for a loss, in proportion", () => {
    const g = columnGeometry([4, -2, 0]);
    const [up, down, none] = g.ends;
    expect(up?.top).toBeLessThan(g.zeroY);
    expect((up?.top ?? 0) + (up?.height ?? 0)).toBe(g.zeroY);
    expect(down?.top).toBe(g.zeroY);
    expect(up?.height).toBe((down?.height ?? 0) * 2);
    expect(none?.height).toBe(0);
    // Nothing happened: a flat line, no column.
    expect(columnGeometry([0, 0]).ends.every((e) => e.height === 0)).toBe(true);
  });

  it("draws one coloured column per week that moved, its note and its label; texts escaped", () => {
    const svg = columnChartSvg({
      title: "</text><script>",
      subtitle: "s",
      bars: [
        { label: "a", value: 2, note: "+2" },
        { label: "b", value: -1, note: "−1" },
        { label: "c", value: 0, note: "0" },
      ],
    });
    expect(svg).not.toContain("<script");
    expect(svg.match(/fill="#1a7f37"/g)).toHaveLength(1);
    expect(svg.match(/fill="#cf222e"/g)).toHaveLength(1);
    // Title, subtitle, and a note and a label per week.
    expect(svg.match(/<text/g)).toHaveLength(2 + 3 * 2);
  });

  it("labels the 12 weeks in the reader's language and rasterises to a PNG of the chart's size", () => {
    const s = view();
    const input = statsChartInput("fr", s.weeks);
    expect(input.title).toBe("Solde de membres par semaine");
    expect(input.bars).toHaveLength(12);
    expect(input.bars.at(-1)).toEqual({ label: "23 nov.", value: -2, note: "−2" });
    expect(input.bars.at(-2)).toEqual({ label: "16 nov.", value: 4, note: "+4" });
    expect(statsChartInput("en", s.weeks).bars.at(-1)?.label).toBe("Nov 23");
    const png = statsChartPng("en", s.weeks);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.readUInt32BE(16)).toBe(CHART_WIDTH);
    expect(png.readUInt32BE(20)).toBe(COLUMN_CHART_HEIGHT);
  });
});

describe("the stats figures both platforms show", () => {
  it("churn rate, trial conversion, revenue per tier and currency, one-off revenue, the weekly trend", () => {
    const en = statsFigures("en", view()).map((f) => `${f.name}: ${f.value}`);
    expect(en).toEqual([
      "Churn rate (30 days): 2.5% (1 of 40 members active 30 days ago left)",
      "Trial conversion (30 days): 75% (3 paid of 4 trials that ended)",
      "Revenue per tier: Or: €30.00 a month + €300.00 one-off (lifetime)",
      "Lifetime purchases (30 days, one-off, not in monthly revenue): €300.00",
      "Net new members per week (12 weeks): 0 · 0 · 0 · 0 · 0 · 0 · 0 · 0 · 0 · 0 · +4 · −2 (oldest first; the last is this week so far)",
    ]);
    // Intl's French uses no-break spaces (before % and €): compared as plain spaces.
    const fr = statsFigures("fr", view()).map((f) => `${f.name} : ${f.value}`.replace(/\s/g, " "));
    expect(fr[0]).toBe(
      "Taux de départ (30 jours) : 2,5 % (1 départ sur 40 membres présents il y a 30 jours)",
    );
    expect(fr[2]).toBe("Revenu par palier : Or : 30,00 € par mois + 300,00 € en achats à vie");
  });

  it("says so when there is nothing to divide by", () => {
    const empty = assembleStats(
      {
        live: [],
        activeMembers: 0,
        membersPerTier: [],
        churn: { activeAtStart: 0, lost: 0, gained: 0 },
        weeks: [],
        oneOff: [],
        trials: { ended: 0, converted: 0 },
        goal: 10,
      },
      now,
    );
    const figures = statsFigures("en", { ...empty, tierNames: {} });
    expect(figures.map((f) => f.value).slice(0, 2)).toEqual([
      "– (nobody was a member 30 days ago)",
      "– (no trial ended)",
    ]);
    // No revenue, no one-off: those lines are left out.
    expect(figures).toHaveLength(3);
  });
});
