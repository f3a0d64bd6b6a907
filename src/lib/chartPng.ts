import { createRequire } from "node:module";
import path from "node:path";
import { Resvg } from "@resvg/resvg-js";

/**
 * Rasterises a chart's SVG to PNG in-process with resvg, using the DejaVu Sans fonts shipped by the
 * `dejavu-fonts-ttf` package (resolved from this project's dependencies, never from the system: the
 * image is the same on every machine, and nothing outside the project is read).
 */
const require = createRequire(import.meta.url);
const FONT_DIR = path.join(path.dirname(require.resolve("dejavu-fonts-ttf/package.json")), "ttf");
export const CHART_FONT_FILES: readonly string[] = [
  path.join(FONT_DIR, "DejaVuSans.ttf"),
  path.join(FONT_DIR, "DejaVuSans-Bold.ttf"),
];

export function svgToPng(svg: string): Buffer {
  const resvg = new Resvg(svg, {
    font: {
      fontFiles: [...CHART_FONT_FILES],
      loadSystemFonts: false,
      defaultFontFamily: "DejaVu Sans",
    },
  });
  return Buffer.from(resvg.render().asPng());
}
