/**
 * A real headless browser for the page tests: Debian's Chromium (installed by .ci/run, like
 * PostgreSQL), driven by playwright-core (which never downloads a browser of its own). The
 * executable comes from CHROMIUM_PATH, else from `which chromium`; without one, the test fails
 * saying how to install it. Screenshots go to test-results/screenshots (ignored by git).
 */
import { execFileSync } from "node:child_process";
import { accessSync, constants, mkdirSync } from "node:fs";
import path from "node:path";
import AxeBuilder from "@axe-core/playwright";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { PROJECT_ROOT } from "../../src/lib/paths.ts";

export const SCREENSHOT_DIR = path.join(PROJECT_ROOT, "test-results", "screenshots");

/** The Chromium executable: CHROMIUM_PATH, else `which chromium` / `which chromium-browser`. */
export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string {
  const set = env.CHROMIUM_PATH?.trim();
  if (set) {
    try {
      accessSync(set, constants.X_OK);
      return set;
    } catch {
      throw new Error(
        `CHROMIUM_PATH is ${set}, which is not an executable file: point it at Chromium, or unset it to use the chromium on the PATH`,
      );
    }
  }
  for (const name of ["chromium", "chromium-browser"]) {
    try {
      const found = execFileSync("which", [name], {
        encoding: "utf8",
        env,
        stdio: ["ignore", "pipe", "ignore"],
      }).trim();
      if (found) return found;
    } catch {
      // not on the PATH under this name
    }
  }
  throw new Error(
    "no Chromium found for the browser tests: install it (`apt-get install -y --no-install-recommends chromium`, as .ci/run does) or set CHROMIUM_PATH to its executable",
  );
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    // Root (CI containers) needs --no-sandbox; the pages are the test's own.
    args: ["--no-sandbox", "--disable-dev-shm-usage"],
  });
}

export const PHONE = { width: 390, height: 844 } as const;
export const DESKTOP = { width: 1280, height: 900 } as const;

/** A fresh context (own cookies) at a viewport and language; axe needs a page from a context. */
export async function newVisitor(
  browser: Browser,
  opts: { viewport?: { width: number; height: number }; locale?: "en-US" | "fr-FR" } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: opts.viewport ?? DESKTOP,
    locale: opts.locale ?? "en-US",
  });
  const page = await context.newPage();
  return { context, page };
}

/** Writes a full-page screenshot and prints where, so a person can look at it. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  process.stdout.write(`screenshot: ${file}\n`);
  return file;
}

/** axe-core's serious and critical violations on the page, as "rule: impact (n nodes)" lines. */
export async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map(
      (v) => `${v.id}: ${v.impact} (${v.nodes.length}) ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`,
    );
}
