/**
 * The creator's trend as an SVG image, built by code like the poll results chart (same width, font
 * and text escaping, rasterised by src/lib/chartPng.ts): one column per week, rising from a zero line
 * for a week that gained members, falling below it for one that lost some. Pure: every text comes in
 * already worded in the reader's language.
 */
import { CHART_FONT, CHART_WIDTH, svgText } from "./resultsChart.ts";

export interface ColumnBar {
  /** Under the column ("23 Nov"). */
  label: string;
  value: number;
  /** Shown at the column's end ("+3", "−2"). */
  note: string;
}

export interface ColumnChartInput {
  title: string;
  subtitle: string;
  bars: ColumnBar[];
}

export const COLUMN_CHART_HEIGHT = 420;
const PAD = 32;
/** Title and subtitle above the plot; room for the notes above and below it; labels under it. */
const PLOT_TOP = PAD + 80 + 22;
const PLOT_BOTTOM = COLUMN_CHART_HEIGHT - PAD - 28 - 22;

/** Where the zero line and the columns' ends go, for values `values` (pixels from the top). */
export function columnGeometry(values: readonly number[]): {
  zeroY: number;
  ends: { top: number; height: number }[];
} {
  const plot = PLOT_BOTTOM - PLOT_TOP;
  const up = Math.max(0, ...values);
  const down = Math.max(0, ...values.map((v) => -v));
  const span = up + down;
  // All zeros: the line in the middle, no column.
  const zeroY = span === 0 ? PLOT_TOP + plot / 2 : PLOT_TOP + Math.round((plot * up) / span);
  const ends = values.map((v) => {
    const height = span === 0 ? 0 : Math.round((plot * Math.abs(v)) / span);
    return { top: v >= 0 ? zeroY - height : zeroY, height };
  });
  return { zeroY, ends };
}

export function columnChartSvg(input: ColumnChartInput): string {
  const width = CHART_WIDTH;
  const height = COLUMN_CHART_HEIGHT;
  const n = Math.max(1, input.bars.length);
  const slot = (width - 2 * PAD) / n;
  const barWidth = Math.max(4, Math.round(slot * 0.64));
  const { zeroY, ends } = columnGeometry(input.bars.map((b) => b.value));
  const parts: string[] = [
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${PAD}" y="${PAD + 24}" font-size="24" font-weight="bold" fill="#1f2328">${svgText(input.title, 56)}</text>`,
    `<text x="${PAD}" y="${PAD + 52}" font-size="15" fill="#4a5260">${svgText(input.subtitle, 90)}</text>`,
    `<line x1="${PAD}" y1="${zeroY}" x2="${width - PAD}" y2="${zeroY}" stroke="#8c959f" stroke-width="1"/>`,
  ];
  input.bars.forEach((bar, i) => {
    const center = Math.round(PAD + slot * i + slot / 2);
    const end = ends[i] ?? { top: zeroY, height: 0 };
    if (end.height > 0) {
      const fill = bar.value >= 0 ? "#1a7f37" : "#cf222e";
      parts.push(
        `<rect x="${center - barWidth / 2}" y="${end.top}" width="${barWidth}" height="${end.height}" rx="3" fill="${fill}"/>`,
      );
    }
    const noteY = bar.value < 0 ? end.top + end.height + 17 : end.top - 6;
    parts.push(
      `<text x="${center}" y="${noteY}" font-size="14" text-anchor="middle" fill="#1f2328">${svgText(bar.note, 8)}</text>`,
      `<text x="${center}" y="${height - PAD - 6}" font-size="12" text-anchor="middle" fill="#4a5260">${svgText(bar.label, 10)}</text>`,
    );
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${CHART_FONT}">${parts.join("")}</svg>`;
}
