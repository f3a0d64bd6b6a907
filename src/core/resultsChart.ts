/**
 * A poll's results as an SVG image, built by code: one horizontal bar per option, its length the
 * option's weighted votes (tier weights applied); for ranked choice, one panel per instant-runoff
 * round. Pure: every text comes in already worded (in the reader's language) and is escaped here for
 * XML, so an option a fan typed cannot break out of its <text>. The PNG is made from this SVG by a
 * rasteriser (src/lib/chartPng.ts) with a font shipped with the project.
 */

export interface ChartBar {
  label: string;
  value: number;
  /** The number shown after the bar ("12 · 40%"). */
  note: string;
  /** The winner (drawn in the winner's colour). */
  highlight: boolean;
}

export interface ChartPanel {
  /** "Round 2", "First choices"; null: no heading. */
  title: string | null;
  bars: ChartBar[];
}

export interface ChartInput {
  title: string;
  subtitle: string;
  panels: ChartPanel[];
}

export const CHART_WIDTH = 800;
const PAD = 32;
const LABEL_MAX = 60;
const TITLE_MAX = 56;
const NOTE_SPACE = 130;
const BAR_HEIGHT = 22;
const ROW_HEIGHT = 52;
export const CHART_FONT = "DejaVu Sans";

/** Characters XML 1.0 does not allow (and the bidirectional overrides), dropped. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to remove them.
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffe\uffff\u202a-\u202e\u2066-\u2069]/g;

/** Text for an SVG <text> or attribute: XML-escaped, on one line, at most `max` characters. */
export function svgText(raw: string, max = Number.POSITIVE_INFINITY): string {
  let text = raw.replace(NOT_XML, "").replace(/\s+/g, " ").trim();
  const chars = [...text];
  if (chars.length > max) text = `${chars.slice(0, max - 1).join("")}…`;
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

/** The chart's height for `input` (the width is fixed). */
export function chartHeight(input: ChartInput): number {
  let h = PAD + 34 + 26 + 10;
  for (const panel of input.panels) h += (panel.title ? 34 : 10) + panel.bars.length * ROW_HEIGHT;
  return h + PAD - 10;
}

export function resultsChartSvg(input: ChartInput): string {
  const width = CHART_WIDTH;
  const height = chartHeight(input);
  const barSpace = width - 2 * PAD - NOTE_SPACE;
  const parts: string[] = [
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${PAD}" y="${PAD + 24}" font-size="24" font-weight="bold" fill="#1f2328">${svgText(input.title, TITLE_MAX)}</text>`,
    `<text x="${PAD}" y="${PAD + 52}" font-size="15" fill="#4a5260">${svgText(input.subtitle, 90)}</text>`,
  ];
  let y = PAD + 34 + 26 + 10;
  for (const panel of input.panels) {
    if (panel.title) {
      parts.push(
        `<text x="${PAD}" y="${y + 24}" font-size="17" font-weight="bold" fill="#1f2328">${svgText(panel.title, 60)}</text>`,
      );
      y += 34;
    } else {
      y += 10;
    }
    const max = Math.max(0, ...panel.bars.map((b) => b.value));
    for (const bar of panel.bars) {
      const length = max > 0 ? Math.round((Math.max(0, bar.value) / max) * barSpace) : 0;
      const fill = bar.highlight ? "#1a7f37" : "#4752c4";
      parts.push(
        `<text x="${PAD}" y="${y + 16}" font-size="15" fill="#1f2328"${bar.highlight ? ' font-weight="bold"' : ""}>${svgText(bar.label, LABEL_MAX)}</text>`,
        `<rect x="${PAD}" y="${y + 22}" width="${barSpace}" height="${BAR_HEIGHT}" rx="4" fill="#eef1f4"/>`,
        ...(length > 0
          ? [
              `<rect x="${PAD}" y="${y + 22}" width="${length}" height="${BAR_HEIGHT}" rx="4" fill="${fill}"/>`,
            ]
          : []),
        `<text x="${PAD + barSpace + 10}" y="${y + 39}" font-size="15" fill="#1f2328">${svgText(bar.note, 20)}</text>`,
      );
      y += ROW_HEIGHT;
    }
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${CHART_FONT}">${parts.join("")}</svg>`;
}
