import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { csvCell, csvRecord } from "../../../src/core/csv.ts";
import { FORMULA_TRIGGERS, parseCsv, startsLikeFormula, unneutralise } from "../../support/csv.ts";

describe("csvCell", () => {
  it.each([
    ['=HYPERLINK("http://evil","x")', `"'=HYPERLINK(""http://evil"",""x"")"`],
    ["=1+1", "'=1+1"],
    ["+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"],
    ["-2+3", "'-2+3"],
    ["@SUM(A1:A2)", "'@SUM(A1:A2)"],
    ["\t=1+1", "'\t=1+1"],
    ["\r=1+1", `"'\r=1+1"`],
  ])(
    "GIVEN a value starting like a formula (%j) THEN a single quote is put before it, then RFC 4180 quoting",
    (value, cell) => {
      expect(csvCell(value)).toBe(cell);
    },
  );

  it.each([
    ["Cooking", "Cooking"],
    ["a=b", "a=b"],
    ["email@example.com", "email@example.com"],
    ["'quoted already", "'quoted already"],
    [" =1+1", " =1+1"],
    ["", ""],
    ["Rock, loud", '"Rock, loud"'],
    ['The "big" one', '"The ""big"" one"'],
    ["Two\nlines", '"Two\nlines"'],
  ])("GIVEN %j, harmless where it starts THEN only RFC 4180 quoting applies", (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });

  it("GIVEN fields THEN csvRecord joins their cells with commas and ends the record with CRLF", () => {
    expect(csvRecord(["=x", "a,b", "ok"])).toBe(`'=x,"a,b",ok\r\n`);
  });

  it("PROPERTY: no cell reads back as a formula, and each reads back as its value with at most the one quote added", () => {
    const unit = fc.constantFrom(...FORMULA_TRIGGERS, "a", "'", '"', ",", "\n", " ", "é", "(");
    fc.assert(
      fc.property(fc.array(fc.string({ unit, maxLength: 8 }), { minLength: 1, maxLength: 5 }), (values) => {
        const [cells] = parseCsv(csvRecord(values));
        expect(cells).toHaveLength(values.length);
        for (const [i, value] of values.entries()) {
          const cell = cells![i]!;
          expect(startsLikeFormula(cell)).toBe(false);
          expect(cell).toBe(startsLikeFormula(value) ? `'${value}` : value);
          if (startsLikeFormula(value)) expect(unneutralise(cell)).toBe(value);
        }
      }),
    );
  });
});
