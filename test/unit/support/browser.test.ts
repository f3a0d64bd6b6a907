import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumPath, launchBrowser, newVisitor, seriousViolations } from "../../support/browser.ts";

describe("the browser the page tests drive", () => {
  it("is found through CHROMIUM_PATH, and a wrong one is named", () => {
    expect(() => chromiumPath({ CHROMIUM_PATH: "/nonexistent/chromium" })).toThrow(
      /CHROMIUM_PATH is \/nonexistent\/chromium, which is not an executable file/,
    );
    expect(chromiumPath({ CHROMIUM_PATH: process.execPath })).toBe(process.execPath);
  });

  it("fails saying how to install it when there is none on the PATH", () => {
    expect(() => chromiumPath({ PATH: "/nonexistent" })).toThrow(
      /apt-get install -y --no-install-recommends chromium/,
    );
  });

  describe("in a real browser", () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await launchBrowser();
    });
    afterAll(async () => {
      await browser?.close();
    });

    it("renders a page and axe reports an image without alt text as critical", async () => {
      const { context, page } = await newVisitor(browser);
      await page.setContent(
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>t</title></head><body><main><h1>Hi €</h1><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="></main></body></html>',
      );
      expect(await page.textContent("h1")).toBe("Hi €");
      expect(await seriousViolations(page)).toEqual([expect.stringMatching(/^image-alt: critical/)]);
      await context.close();
    });
  });
});
