import { describe, expect, it } from "vitest";
import { parseCycleOptions } from "../../../src/adapters/telegram/features/creatorOps.ts";
import { pollLocale } from "../../../src/adapters/telegram/pollView.ts";
import { type CreatorSettings, CYCLE_DEFAULTS } from "../../../src/app/settings.ts";

describe("/cycle's options on Telegram", () => {
  it("reads key=value words, leaving out what is not given", () => {
    expect(parseCycleOptions(["day=25", "days=5", "top=3", "min=2"])).toEqual({
      day: 25,
      days: 5,
      top: 3,
      min: 2,
    });
    expect(parseCycleOptions(["hour=0", "mode=ranked"])).toEqual({ hour: 0, mode: "ranked" });
    expect(parseCycleOptions([])).toEqual({});
  });

  it("refuses a word it cannot read (the range is the app's to check)", () => {
    expect(parseCycleOptions(["day25"])).toBeNull();
    expect(parseCycleOptions(["week=2"])).toBeNull();
    expect(parseCycleOptions(["mode=budget"])).toBeNull();
    expect(parseCycleOptions(["top=-1"])).toBeNull();
    expect(parseCycleOptions(["top=3.5"])).toBeNull();
  });
});

describe("a cycle's poll on Telegram", () => {
  it("speaks the language the cycle was set in; a creator's poll, the creator's", async () => {
    const app = {
      storedLocale: async () => "fr",
      getSettings: async () => ({ cycle: { ...CYCLE_DEFAULTS, locale: "fr" } }) as CreatorSettings,
    };
    expect(await pollLocale(app as never, { createdBy: "cycle:2026-12" })).toBe("fr");
    expect(
      await pollLocale({ ...app, getSettings: async () => ({ cycle: CYCLE_DEFAULTS }) } as never, {
        createdBy: "cycle:2026-12",
      }),
    ).toBe("en");
    expect(await pollLocale(app as never, { createdBy: "discord:123" })).toBe("en");
  });
});
