import { describe, expect, it } from "vitest";
import { fitLines } from "../../../src/core/fitLines.ts";

const more = (n: number) => `…+${n}`;

describe("fitLines", () => {
  it("keeps every line when they fit", () => {
    expect(fitLines(["ab", "cd"], 5, more)).toBe("ab\ncd");
  });
  it("keeps whole lines and says how many were left out, within the limit", () => {
    const lines = ["aaaa", "bbbb", "cccc", "dddd"];
    const text = fitLines(lines, 13, more);
    expect(text).toBe("aaaa\nbbbb\n…+2");
    expect(text.length).toBeLessThanOrEqual(13);
    expect(fitLines(lines, 12, more)).toBe("aaaa\n…+3");
    for (let max = 4; max < 20; max++) expect(fitLines(lines, max, more).length).toBeLessThanOrEqual(max);
  });
  it("a limit below the first line leaves the note alone", () => {
    expect(fitLines(["a very long line"], 6, more)).toBe("…+1");
  });
});
