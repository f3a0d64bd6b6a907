import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  idPrefixKey,
  parseDuration,
  parseOptionList,
  parseTierWeights,
  pickByPrefix,
} from "../../../src/core/pollInput.ts";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe("parseDuration", () => {
  it("GIVEN a number and a unit THEN milliseconds, in English or French units", () => {
    expect(parseDuration("30m")).toEqual({ ok: true, value: 30 * MINUTE });
    expect(parseDuration("45min")).toEqual({ ok: true, value: 45 * MINUTE });
    expect(parseDuration("12h")).toEqual({ ok: true, value: 12 * HOUR });
    expect(parseDuration("3d")).toEqual({ ok: true, value: 3 * DAY });
    expect(parseDuration("3j")).toEqual({ ok: true, value: 3 * DAY });
    expect(parseDuration("1w")).toEqual({ ok: true, value: 7 * DAY });
    expect(parseDuration("2sem")).toEqual({ ok: true, value: 14 * DAY });
  });

  it("GIVEN any case, spaces around or before the unit THEN the same", () => {
    expect(parseDuration(" 3J ")).toEqual({ ok: true, value: 3 * DAY });
    expect(parseDuration("12 H")).toEqual({ ok: true, value: 12 * HOUR });
  });

  it("GIVEN no unit, an unknown unit, zero, a fraction, two units or nothing THEN input_duration_invalid with what was typed", () => {
    for (const raw of ["3", "3x", "0h", "1.5h", "1d12h", "soon", "", "-3d", "12345m"]) {
      expect(parseDuration(raw), raw).toEqual({
        ok: false,
        code: "input_duration_invalid",
        params: { value: raw.trim() },
      });
    }
    expect(parseDuration(undefined)).toEqual({
      ok: false,
      code: "input_duration_invalid",
      params: { value: "" },
    });
    expect(parseDuration(null)).toMatchObject({ ok: false, code: "input_duration_invalid" });
  });

  it("PROPERTY: n units is n times one unit, for every unit and spelling", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9999 }),
        fc.constantFrom("m", "min", "h", "d", "j", "w", "sem", "M", "Min", "H", "D", "J", "W", "SEM"),
        (n, unit) => {
          const one = parseDuration(`1${unit}`);
          const many = parseDuration(`${n}${unit}`);
          expect(one.ok && many.ok).toBe(true);
          if (one.ok && many.ok) expect(many.value).toBe(n * one.value);
        },
      ),
    );
  });

  it("PROPERTY: never throws, whatever is typed", () => {
    fc.assert(
      fc.property(fc.string(), (raw) => {
        const r = parseDuration(raw);
        if (r.ok) expect(r.value).toBeGreaterThan(0);
        else expect(r.code).toBe("input_duration_invalid");
      }),
    );
  });
});

describe("parseTierWeights", () => {
  it("GIVEN tier=number pieces, separated by commas, semicolons or spaces THEN the weights, in order", () => {
    expect(parseTierWeights("gold=3,silver=1")).toEqual({
      ok: true,
      value: [
        { tier: "gold", weight: 3 },
        { tier: "silver", weight: 1 },
      ],
    });
    expect(parseTierWeights("gold:2; silver:10 bronze=1")).toEqual({
      ok: true,
      value: [
        { tier: "gold", weight: 2 },
        { tier: "silver", weight: 10 },
        { tier: "bronze", weight: 1 },
      ],
    });
  });

  it("GIVEN nothing THEN no weights", () => {
    for (const raw of ["", "  ", null, undefined, ", ;"])
      expect(parseTierWeights(raw)).toEqual({ ok: true, value: [] });
  });

  it("GIVEN a piece that is not tier=number THEN input_weights_invalid naming the piece", () => {
    for (const part of ["gold", "gold=x", "=3", "gold=", "gold=3=4", "gold=two"]) {
      expect(parseTierWeights(`silver=1,${part}`), part).toEqual({
        ok: false,
        code: "input_weights_invalid",
        params: { part },
      });
    }
  });

  it("GIVEN a number that is not a whole one from 1 to 10 THEN poll_weight_invalid naming the tier", () => {
    for (const w of ["0", "11", "100", "1.5", "-1"]) {
      expect(parseTierWeights(`gold=${w}`), w).toEqual({
        ok: false,
        code: "poll_weight_invalid",
        params: { tier: "gold" },
      });
    }
  });

  it("PROPERTY: written weights read back as written", () => {
    const pair = fc.record({
      tier: fc.stringMatching(/^[a-z][a-z0-9-]{0,11}$/),
      weight: fc.integer({ min: 1, max: 10 }),
    });
    fc.assert(
      fc.property(
        fc.array(pair, { maxLength: 5 }),
        fc.constantFrom(",", ", ", ";", " "),
        fc.constantFrom("=", ":"),
        (pairs, sep, eq) => {
          const raw = pairs.map((p) => `${p.tier}${eq}${p.weight}`).join(sep);
          expect(parseTierWeights(raw)).toEqual({ ok: true, value: pairs });
        },
      ),
    );
  });
});

describe("parseOptionList", () => {
  it("GIVEN options separated by | or ; THEN trimmed, empty pieces dropped", () => {
    expect(parseOptionList("Tutorial | Vlog; Live |")).toEqual({
      ok: true,
      value: ["Tutorial", "Vlog", "Live"],
    });
    expect(parseOptionList(" One ")).toEqual({ ok: true, value: ["One"] });
  });

  it("GIVEN only separators or nothing THEN input_options_missing", () => {
    for (const raw of ["", " | ; |", null, undefined]) {
      expect(parseOptionList(raw)).toEqual({ ok: false, code: "input_options_missing", params: {} });
    }
  });

  it("PROPERTY: options without separators read back as written", () => {
    const label = fc
      .string({ minLength: 1, maxLength: 20 })
      .filter((s) => !/[|;]/.test(s) && s.trim() === s && s !== "");
    fc.assert(
      fc.property(
        fc.array(label, { minLength: 1, maxLength: 10 }),
        fc.constantFrom(" | ", "|", " ; "),
        (labels, sep) => {
          expect(parseOptionList(labels.join(sep))).toEqual({ ok: true, value: labels });
        },
      ),
    );
  });
});

describe("references by id prefix", () => {
  it("GIVEN an id or the start of one, any case, spaces around THEN the lowercase key", () => {
    expect(idPrefixKey(" 1A2B3C4D ")).toBe("1a2b3c4d");
    expect(idPrefixKey("1a2b3c4d-0000-4000-8000-000000000000")).toBe("1a2b3c4d-0000-4000-8000-000000000000");
    expect(idPrefixKey("a")).toBe("a");
  });

  it("GIVEN text that cannot start an id THEN no key (it names nothing)", () => {
    for (const ref of ["", "   ", "zzzz", "1a2b%", "1a2b3c4d-0000-4000-8000-0000000000001", "a_b"]) {
      expect(idPrefixKey(ref), ref).toBeNull();
    }
  });

  it("GIVEN the ids starting with the key THEN one names it; several are ambiguous; none is not found", () => {
    expect(pickByPrefix(["abc"])).toEqual({ ok: true, id: "abc" });
    expect(pickByPrefix(["abc", "abd"])).toEqual({ ok: false, code: "ambiguous" });
    expect(pickByPrefix([])).toEqual({ ok: false, code: "not_found" });
  });

  it("PROPERTY: a prefix of a uuid is its own key; a unique match names exactly that id", () => {
    fc.assert(
      fc.property(fc.uuid(), fc.integer({ min: 1, max: 36 }), (id, n) => {
        const prefix = id.slice(0, n);
        expect(idPrefixKey(prefix.toUpperCase())).toBe(prefix);
        expect(pickByPrefix([id])).toEqual({ ok: true, id });
      }),
    );
  });
});
