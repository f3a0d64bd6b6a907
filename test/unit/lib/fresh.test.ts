import { describe, expect, it } from "vitest";
import { freshFor } from "../../../src/lib/fresh.ts";

describe("freshFor", () => {
  it("shares one read among the callers of a window, and reads again after it", async () => {
    let t = 1_000;
    let reads = 0;
    const get = freshFor(
      1_000,
      async () => ++reads,
      () => t,
    );
    expect(await Promise.all([get(), get(), get()])).toEqual([1, 1, 1]);
    t += 999;
    expect(await get()).toBe(1);
    t += 1;
    expect(await get()).toBe(2);
    // A clock that went back does not keep a value forever.
    t -= 5_000;
    expect(await get()).toBe(3);
  });

  it("keeps no failed read: the next caller reads again", async () => {
    let fail = true;
    const get = freshFor(60_000, async () => {
      if (fail) throw new Error("database away");
      return "page";
    });
    await expect(get()).rejects.toThrow("database away");
    fail = false;
    expect(await get()).toBe("page");
  });
});
