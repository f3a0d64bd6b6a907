/**
 * One line of the doctor's checklist. `blocking`: fans cannot pay or cannot get (or lose) their
 * access until it is fixed, so `npm run doctor` exits non-zero. `warning`: worth fixing, but no fan
 * is blocked (Public Bot on, test mode, a poll channel the bot cannot write in...). `fixed`: `--fix`
 * just repaired it.
 */
export type CheckStatus = "ok" | "fixed" | "blocking" | "warning";

export type CheckArea = "Settings" | "Stripe" | "Discord" | "Telegram";

export interface CheckResult {
  area: CheckArea;
  /** Stable short name, e.g. `webhook_endpoint` (the `check` field of the doctor.check log line). */
  check: string;
  status: CheckStatus;
  /** OK/fixed: what was found or done. Problems: what is wrong, then the exact fix. */
  text: string;
}

export const ok = (area: CheckArea, check: string, text: string): CheckResult => ({
  area,
  check,
  status: "ok",
  text,
});
export const fixed = (area: CheckArea, check: string, text: string): CheckResult => ({
  area,
  check,
  status: "fixed",
  text,
});
export const blocking = (area: CheckArea, check: string, text: string): CheckResult => ({
  area,
  check,
  status: "blocking",
  text,
});
export const warning = (area: CheckArea, check: string, text: string): CheckResult => ({
  area,
  check,
  status: "warning",
  text,
});

const PREFIX: Record<CheckStatus, string> = {
  ok: "OK     ",
  fixed: "fixed: ",
  blocking: "fix:   ",
  warning: "fix (warning, fans not blocked): ",
};

export function formatLine(r: CheckResult): string {
  return `${PREFIX[r.status]}${r.area} · ${r.text}`;
}

/** The printed checklist: one line per check, grouped by area, then the verdict. */
export function formatReport(results: readonly CheckResult[]): string[] {
  const lines = results.map(formatLine);
  const blockers = results.filter((r) => r.status === "blocking").length;
  const warnings = results.filter((r) => r.status === "warning").length;
  lines.push(
    "",
    blockers > 0
      ? `${blockers} problem(s) block fans${warnings ? `, ${warnings} warning(s)` : ""}: fix the lines marked "fix:" and run npm run doctor again (npm run doctor -- --fix repairs what it can through the APIs).`
      : warnings > 0
        ? `Nothing blocks fans; ${warnings} warning(s) worth fixing.`
        : "All good: nothing blocks fans.",
  );
  return lines;
}

export const blocksFans = (results: readonly CheckResult[]): boolean =>
  results.some((r) => r.status === "blocking");
