/**
 * What a creator types when opening a poll, read the same way on every platform: a duration ("3d",
 * "12h", "3j"), tier weights ("gold=3,silver=1"), a list of options ("A | B ; C"), and a poll or
 * idea named by the first characters of its id.
 *
 * Pure: no I/O. Mistakes are results with a shared code (each platform words it, naming its own
 * argument), never throws. Every rule is checked in test/unit/core/pollInput.test.ts.
 */
import { MAX_BUDGET_POINTS, MAX_WEIGHT, MIN_BUDGET_POINTS, MIN_WEIGHT } from "./polls.ts";

export type InputErrorCode =
  /** `params.value`: what was typed. */
  | "input_duration_invalid"
  /** `params.part`: the piece that is not tier=number. */
  | "input_weights_invalid"
  /** `params.tier`: the tier whose weight is not a whole number from 1 to 10. */
  | "poll_weight_invalid"
  /** Nothing but separators where the options should be. */
  | "input_options_missing"
  /** `params.part`: the piece of a budget that is neither a number nor tier=number. */
  | "input_budget_invalid"
  /** `params.tier`: the tier whose points are not a whole number from 1 to 100 (empty: every tier). */
  | "poll_budget_points_invalid";

/** A refusal with the parameters its message takes (src/i18n `error.<code>`). */
export type InputRefusal =
  | { code: "input_duration_invalid"; params: { value: string } }
  | { code: "input_weights_invalid"; params: { part: string } }
  | { code: "poll_weight_invalid"; params: { tier: string } }
  | { code: "input_options_missing"; params: Record<string, never> }
  | { code: "input_budget_invalid"; params: { part: string } }
  | { code: "poll_budget_points_invalid"; params: { tier: string } };

export type InputResult<T> = { ok: true; value: T } | ({ ok: false } & InputRefusal);

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;

/** Units, English and French: m/min, h, d/j (day, jour), w/sem (week, semaine). */
const UNIT_MS: Record<string, number> = {
  m: MINUTE,
  min: MINUTE,
  h: HOUR,
  d: DAY,
  j: DAY,
  w: WEEK,
  sem: WEEK,
};

/**
 * "30m", "12h", "3d", "3j", "1w" (a space before the unit and any case are fine) → milliseconds.
 * A whole number from 1 to 9999 and one unit; how long a poll may stay open is validatePoll's rule.
 */
export function parseDuration(raw: string | null | undefined): InputResult<number> {
  const text = (raw ?? "").trim();
  const m = /^(\d{1,4})\s*(min|sem|m|h|d|j|w)$/i.exec(text);
  const n = Number(m?.[1]);
  const unit = UNIT_MS[m?.[2]?.toLowerCase() ?? ""];
  if (!m || unit === undefined || n < 1)
    return { ok: false, code: "input_duration_invalid", params: { value: text } };
  return { ok: true, value: n * unit };
}

/**
 * "gold=3, silver=1" (or "gold:3;silver:1") → [{ tier: "gold", weight: 3 }, ...], in the order
 * typed; the tier is as typed (the caller looks it up). Empty text → no weights. A piece that is not
 * tier=number is input_weights_invalid; a number that is not a whole one from 1 to 10 is
 * poll_weight_invalid (the same code validatePoll uses).
 */
export function parseTierWeights(
  raw: string | null | undefined,
): InputResult<{ tier: string; weight: number }[]> {
  const out: { tier: string; weight: number }[] = [];
  for (const part of (raw ?? "").split(/[,;\s]+/).filter(Boolean)) {
    const m = /^([^=:]+)[=:]([^=:]+)$/.exec(part);
    if (!m || !/^[+-]?\d+(?:\.\d+)?$/.test(m[2]!)) {
      return { ok: false, code: "input_weights_invalid", params: { part } };
    }
    const tier = m[1]!;
    const weight = Number(m[2]);
    if (!Number.isInteger(weight) || weight < MIN_WEIGHT || weight > MAX_WEIGHT) {
      return { ok: false, code: "poll_weight_invalid", params: { tier } };
    }
    out.push({ tier, weight });
  }
  return { ok: true, value: out };
}

/**
 * A budget poll's points: "5" (every tier), "gold=10, silver=5" (those tiers; the others get the
 * lowest listed), or both, "gold=10, 3" (the bare number is for the tiers not listed). Tiers as
 * typed (the caller looks them up). Empty text → null (no budget). A piece that is neither is
 * input_budget_invalid; points that are not a whole number from 1 to 100 poll_budget_points_invalid.
 */
export function parseBudget(
  raw: string | null | undefined,
): InputResult<{ points: { tier: string; points: number }[]; defaultPoints?: number } | null> {
  const parts = (raw ?? "").split(/[,;\s]+/).filter(Boolean);
  if (parts.length === 0) return { ok: true, value: null };
  const points: { tier: string; points: number }[] = [];
  let defaultPoints: number | undefined;
  for (const part of parts) {
    const m = /^(?:([^=:]+)[=:])?([+-]?\d+(?:\.\d+)?)$/.exec(part);
    if (!m || (m[1] === undefined && defaultPoints !== undefined)) {
      return { ok: false, code: "input_budget_invalid", params: { part } };
    }
    const n = Number(m[2]);
    const tier = m[1] ?? "";
    if (!Number.isInteger(n) || n < MIN_BUDGET_POINTS || n > MAX_BUDGET_POINTS) {
      return { ok: false, code: "poll_budget_points_invalid", params: { tier } };
    }
    if (m[1] === undefined) defaultPoints = n;
    else points.push({ tier, points: n });
  }
  return { ok: true, value: defaultPoints === undefined ? { points } : { points, defaultPoints } };
}

/**
 * "Tutorial | Vlog ; Live |" → ["Tutorial", "Vlog", "Live"]: | and ; separate, pieces are trimmed
 * and empty ones (a trailing separator) dropped. How many and how long is validatePoll's rule.
 */
export function parseOptionList(raw: string | null | undefined): InputResult<string[]> {
  const options = (raw ?? "")
    .split(/[|;]/)
    .map((o) => o.trim())
    .filter(Boolean);
  if (options.length === 0) return { ok: false, code: "input_options_missing", params: {} };
  return { ok: true, value: options };
}

// ---------------------------------------------------------------------------------------------------
// References by id prefix

/**
 * The key a typed reference to a poll or an idea is looked up by: its id (a lowercase uuid) or the
 * first characters of it, any case, spaces around ignored. null when it cannot start any id (then it
 * names nothing).
 */
export function idPrefixKey(ref: string): string | null {
  const key = ref.trim().toLowerCase();
  return /^[0-9a-f-]{1,36}$/.test(key) ? key : null;
}

export type PrefixMatch = { ok: true; id: string } | { ok: false; code: "not_found" | "ambiguous" };

/**
 * One rule on every platform: the ids that start with the key (reading two is enough) name one
 * thing only when there is exactly one; several → ambiguous (type more characters), none → not found.
 */
export function pickByPrefix(matches: readonly string[]): PrefixMatch {
  if (matches.length === 0) return { ok: false, code: "not_found" };
  if (matches.length > 1) return { ok: false, code: "ambiguous" };
  return { ok: true, id: matches[0]! };
}
