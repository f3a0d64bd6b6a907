/**
 * As many whole lines, in order, as fit in `max` characters joined with newlines (a platform's
 * message limit); when some are left out, a last line `more(how many)` says so. Meant for short
 * lists (a few dozen lines).
 */
export function fitLines(lines: readonly string[], max: number, more: (left: number) => string): string {
  const all = lines.join("\n");
  if (all.length <= max) return all;
  for (let keep = lines.length - 1; keep >= 0; keep--) {
    const text = [...lines.slice(0, keep), more(lines.length - keep)].join("\n");
    if (text.length <= max) return text;
  }
  return more(lines.length).slice(0, max);
}

/**
 * A fan's text on one line (whitespace collapsed, trimmed), at most `max` characters counted in
 * whole code points, with an ellipsis when cut.
 */
export function clipLine(text: string, max: number): string {
  const chars = [...text.replace(/\s+/g, " ").trim()];
  return chars.length <= max ? chars.join("") : `${chars.slice(0, max - 1).join("")}…`;
}
