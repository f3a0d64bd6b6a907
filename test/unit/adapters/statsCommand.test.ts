import { describe, expect, it, vi } from "vitest";
import { statsRoute } from "../../../src/adapters/discord/commands/stats.ts";
import type { HandlerContext, ReplyMessage } from "../../../src/adapters/discord/context.ts";
import type { StatsView } from "../../../src/app/stats.ts";
import { assembleStats } from "../../../src/core/stats.ts";
import { translator } from "../../../src/i18n/index.ts";

// The rasteriser fails (a font missing, a renderer bug): the stats must be answered anyway.
vi.mock("../../../src/lib/chartPng.ts", () => ({
  CHART_FONT_FILES: [],
  svgToPng: () => {
    throw new Error("renderer broke");
  },
}));

const now = new Date("2026-11-25T12:00:00Z");

describe("/tribe stats when the chart cannot be drawn", () => {
  it("answers the figures without an image and logs a warning", async () => {
    const view: StatsView = {
      ...assembleStats(
        {
          live: [],
          activeMembers: 2,
          membersPerTier: [{ tierId: "gold", members: 2 }],
          churn: { activeAtStart: 4, lost: 1, gained: 0 },
          weeks: [],
          oneOff: [],
          trials: { ended: 0, converted: 0 },
          goal: 10,
        },
        now,
      ),
      tierNames: { gold: "Gold" },
    };
    const replies: ReplyMessage[] = [];
    const warnings: { obj: unknown; msg: unknown }[] = [];
    const ctx = {
      services: { app: { getCreatorStats: async () => view }, clock: { now: () => now } },
      log: { warn: (obj: unknown, msg: unknown) => warnings.push({ obj, msg }) },
      locale: "en",
      t: translator("en"),
      reply: async (m: ReplyMessage) => {
        replies.push(m);
      },
    } as unknown as HandlerContext;
    await statsRoute.run({ options: {} } as never, ctx);

    expect(replies).toHaveLength(1);
    const sent = replies[0]?.embeds?.[0] as
      | { toJSON(): { fields?: { name: string; value: string }[]; image?: unknown } }
      | undefined;
    const embed = sent?.toJSON() ?? {};
    expect(embed.fields?.find((f) => f.name === "Churn rate (30 days)")?.value).toBe(
      "25% (1 of 4 members active 30 days ago left)",
    );
    expect(embed.image).toBeUndefined();
    expect(replies[0]?.files).toBeUndefined();
    expect(warnings).toEqual([
      { obj: expect.objectContaining({ event: "discord.stats.chart_failed" }), msg: expect.any(String) },
    ]);
  });
});
