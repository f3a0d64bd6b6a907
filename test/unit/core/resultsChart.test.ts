import { describe, expect, it } from "vitest";
import { pollChartInput, pollChartPng, pollChartSvg } from "../../../src/adapters/resultsChart.ts";
import { tallyPoll } from "../../../src/core/polls.ts";
import { CHART_WIDTH, chartHeight, resultsChartSvg, svgText } from "../../../src/core/resultsChart.ts";

const HOSTILE = `</text><script>alert(1)</script><text x="0">&amp; @everyone`;

/** The width of each bar drawn in colour (the track behind is #eef1f4), in order. */
const barWidths = (svg: string) =>
  [
    ...svg.matchAll(/<rect x="\d+" y="\d+" width="(\d+)" height="22" rx="4" fill="#(?!eef1f4)[0-9a-f]+"\/>/g),
  ].map((m) => Number(m[1]));

describe("the results chart", () => {
  it("escapes what fans typed: an option cannot leave its <text>", () => {
    const svg = resultsChartSvg({
      title: HOSTILE,
      subtitle: "x",
      panels: [{ title: null, bars: [{ label: HOSTILE, value: 1, note: "1", highlight: true }] }],
    });
    expect(svg).not.toContain("<script");
    // Title, subtitle, the bar's label and its note: no element more than drawn.
    expect(svg.match(/<text/g)).toHaveLength(4);
    expect(svg.match(/<\/text>/g)).toHaveLength(4);
    expect(svg).toContain("&lt;/text&gt;&lt;script&gt;");
    expect(svgText("a\u0000b\u202ec")).toBe("abc");
    expect(svgText("x".repeat(100), 10)).toBe(`${"x".repeat(9)}…`);
  });

  it("draws each option's weighted votes: a Gold ballot of weight 3 outweighs two of weight 1", () => {
    const poll = { question: "Next video?", options: ["Vlog", "Tutorial"], mode: "single" as const };
    const tally = tallyPoll(poll, [
      { choices: [0], weight: 1 },
      { choices: [0], weight: 1 },
      { choices: [1], weight: 3 },
    ]);
    const input = pollChartInput("en", poll, tally);
    expect(input.subtitle).toBe("3 voters · total weight 5");
    expect(input.panels[0]!.bars.map((b) => [b.label, b.value, b.note, b.highlight])).toEqual([
      ["Vlog", 2, "2 · 40%", false],
      ["Tutorial", 3, "3 · 60%", true],
    ]);
    const widths = barWidths(pollChartSvg("en", poll, tally));
    expect(widths).toHaveLength(2);
    // Bars in proportion to the weights: 2 : 3.
    expect(widths[0]! / widths[1]!).toBeCloseTo(2 / 3, 2);
  });

  it("shows a ranked poll round by round, the winner in the last round", () => {
    const poll = { question: "Ranked", options: ["A", "B", "C"], mode: "ranked" as const };
    const tally = tallyPoll(poll, [
      { choices: [0, 1], weight: 2 },
      { choices: [1, 0], weight: 2 },
      { choices: [2, 1], weight: 1 },
    ]);
    const input = pollChartInput("fr", poll, tally);
    expect(input.panels.map((p) => p.title)).toEqual(["Tour 1", "Tour 2"]);
    expect(input.panels[0]!.bars.map((b) => b.value)).toEqual([2, 2, 1]);
    expect(input.panels[1]!.bars.map((b) => [b.label, b.value, b.highlight])).toEqual([
      ["A", 2, false],
      ["B", 3, true],
    ]);
  });

  it("rasterises to a PNG of the chart's size with the shipped font", () => {
    const poll = { question: `Café « ${HOSTILE} »`, options: ["Été", "Hiver <b>"], mode: "single" as const };
    const tally = tallyPoll(poll, [{ choices: [1], weight: 2 }]);
    const png = pollChartPng("fr", poll, tally);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    // IHDR: width and height, big-endian, at bytes 16 and 20.
    expect(png.readUInt32BE(16)).toBe(CHART_WIDTH);
    expect(png.readUInt32BE(20)).toBe(chartHeight(pollChartInput("fr", poll, tally)));
  });
});
